import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createContentStore } from '../../src/content/store.js';
import { AdminError } from '../../src/core/adapter.js';
import { linksReply } from '../../src/core/replies.js';
import { plainText } from '../../src/core/text.js';
import { useTestRedis } from '../helpers/redis-server.js';
import {
  ADMIN,
  command,
  fresh,
  MEMBERS,
  makeBot,
  privateChat,
  TELEGRAM_GROUP,
  texts,
  WHATSAPP_GROUP,
} from './helpers.js';

const db = useTestRedis();

const join = (chat = TELEGRAM_GROUP, inviteLink?: string, ...names: string[]) => ({
  kind: 'member_joined' as const,
  chat,
  sender: { id: 'x' },
  members: names.map((name, i) => ({ id: `${name}-${i}`, name })),
  ...(inviteLink ? { inviteLink } : {}),
});

describe('/invite and /invites', () => {
  it('creates a named link with an expiry and a limit at the platform, lists it with its joins, and revokes it', async () => {
    const { router, adapters, clock, community } = await makeBot({ redis: db.redis });
    const tg = adapters.telegram;

    const created = await router.handle(command(TELEGRAM_GROUP, ADMIN, '/invite spring 7d limit 50'));
    expect(tg.calls).toEqual([
      {
        op: 'createInvite',
        chatId: TELEGRAM_GROUP.chatId,
        options: { name: 'spring', expiresAt: new Date(clock.now() + 7 * 86_400_000), memberLimit: 50 },
      },
    ]);
    expect(texts(created)).toContain('https://t.me/+spring-1');
    expect(texts(created)).toContain('up to 50 people');

    await router.handle(command(TELEGRAM_GROUP, ADMIN, '/invite newcomers approval'));
    expect(tg.calls[1]).toMatchObject({ op: 'createInvite', options: { name: 'newcomers', approval: true } });

    // Joins through each link are counted (the adapter names the link it saw).
    await router.handle(join(TELEGRAM_GROUP, 'spring', 'Cleo', 'Dan'));
    await router.handle(join(TELEGRAM_GROUP, 'spring', 'Eve'));
    await router.handle(join(TELEGRAM_GROUP, undefined, 'Finn'));

    const list = texts(await router.handle(command(TELEGRAM_GROUP, ADMIN, '/invites')));
    expect(list).toMatch(/spring: https:\/\/t\.me\/\+spring-1 · 3 joined · expires .* · up to 50 people/);
    expect(list).toMatch(/newcomers: .* · 0 joined · needs approval/);
    expect(list).toContain('without a named link: 1');

    const revoked = texts(await router.handle(command(TELEGRAM_GROUP, ADMIN, '/invite revoke spring')));
    expect(revoked).toContain('revoked');
    expect(tg.calls[2]).toMatchObject({
      op: 'revokeInvite',
      chatId: TELEGRAM_GROUP.chatId,
      link: { name: 'spring' },
    });
    const after = texts(await router.handle(command(TELEGRAM_GROUP, ADMIN, '/invites')));
    expect(after).not.toContain('spring: https');
    expect(after).toContain('newcomers');
    await community.close();
  });

  it('keeps links in Redis: a new instance on the same Redis lists them', async () => {
    const prefix = `${fresh('persist')}:`;
    const first = await makeBot({ redis: db.redis, prefix });
    await first.router.handle(command(TELEGRAM_GROUP, ADMIN, '/invite flyer 30d'));
    await first.community.close();
    const second = await makeBot({ redis: db.redis, prefix });
    expect(texts(await second.router.handle(command(TELEGRAM_GROUP, ADMIN, '/invites')))).toContain(
      'flyer: https://t.me/+flyer-1',
    );
    await second.community.close();
  });

  it('answers mistakes with a clear message and an example, and asks the platform nothing', async () => {
    const { router, adapters, community } = await makeBot({ redis: db.redis });
    for (const [args, expected] of [
      ['spring 7x', `I can't read "7x" as an expiry`],
      ['spring 3', `I can't read "3" as an expiry`],
      ['spring 500d', 'between 5 minutes and 366 days'],
      ['spring limit', '"limit" needs a number'],
      ['spring limit 0', '"limit" needs a number'],
      ['spring limit 10 approval', 'not both'],
      ['spring autumn', 'One name per link'],
      ['revoke', 'Say which link to revoke'],
      ['revoke nothere', 'There is no link called "nothere"'],
    ] as const) {
      const reply = texts(await router.handle(command(TELEGRAM_GROUP, ADMIN, `/invite ${args}`)));
      expect(reply, args).toContain(expected);
      if (args !== 'revoke nothere') expect(reply, args).toContain('/invite spring 7d');
    }
    expect(adapters.telegram.calls).toEqual([]);
    await community.close();
  });

  it('refuses a second link with the same name', async () => {
    const { router, adapters, community } = await makeBot({ redis: db.redis });
    await router.handle(command(TELEGRAM_GROUP, ADMIN, '/invite spring'));
    const again = texts(await router.handle(command(TELEGRAM_GROUP, ADMIN, '/invite spring 7d')));
    expect(again).toContain('There is already a link called "spring"');
    expect(adapters.telegram.calls).toHaveLength(1);
    await community.close();
  });

  it('names unnamed links itself and says what WhatsApp ignored', async () => {
    const { router, adapters, community } = await makeBot({ redis: db.redis });
    const reply = texts(await router.handle(command(WHATSAPP_GROUP, ADMIN, '/invite 7d')));
    expect(adapters.whatsapp.calls[0]).toMatchObject({ op: 'createInvite', options: { name: 'link1' } });
    expect(reply).toContain('https://chat.whatsapp.com/AbCdEf123');
    expect(reply).toContain('WhatsApp links cannot have an expiry');
    await community.close();
  });

  it('explains that /invite works in a group when sent privately', async () => {
    const { router, adapters, community } = await makeBot({ redis: db.redis, moderators: ['telegram:4242'] });
    const reply = texts(
      await router.handle(command(privateChat('telegram', '4242'), MEMBERS.telegram, '/invite spring')),
    );
    expect(reply).toContain('/invite works in a group');
    expect(adapters.telegram.calls).toEqual([]);
    await community.close();
  });

  it('says Redis is needed when it is off', async () => {
    const { router, adapters, community } = await makeBot();
    const reply = texts(await router.handle(command(TELEGRAM_GROUP, ADMIN, '/invite spring 7d')));
    expect(reply).toContain('Invite links need Redis');
    expect(adapters.telegram.calls).toEqual([]);
    await community.close();
  });

  it('reports a platform refusal (the bot is not an admin) and stores nothing', async () => {
    const { router, adapters, community } = await makeBot({ redis: db.redis });
    adapters.telegram.failCreate = new AdminError(
      'needs_admin',
      'TRANSIENT',
      'Telegram refused a call for chat -5001: Bad Request: not enough rights to manage chat invite links',
    );
    const reply = texts(await router.handle(command(TELEGRAM_GROUP, ADMIN, '/invite spring')));
    // Written for people: what failed and what to do; not Telegram's words, not the chat id.
    expect(reply).toBe(
      'I could not create an invite link: I need to be an admin of this group with the "Invite users via link" right. Make me one (in the group\'s settings), then try again.',
    );
    expect(texts(await router.handle(command(TELEGRAM_GROUP, ADMIN, '/invites')))).toContain(
      'No invite links yet',
    );
    await community.close();
  });
});

describe('deep-link onboarding', () => {
  it('/start join answers the welcome, the rules, the disclaimer and the links', async () => {
    const { router, community } = await makeBot();
    const replies = await router.handle(
      command(privateChat('telegram', '4242'), MEMBERS.telegram, '/start join'),
    );
    const all = texts(replies);
    expect(all).toContain('Welcome, Ana!');
    expect(all).toContain('Be kind and patient');
    expect(all).toContain('is not medical');
    expect(replies[0]?.buttons?.map((b) => b.data)).toEqual(['faq', 'toc', 'links', 'rules']);
    // Each address once (before: the store's URL under "Fibromyalgia Store" and again under
    // "The article"), and the community's own group first when COMMUNITY_GROUP_URL is set.
    expect(plainText(replies[1]!).split('\n').filter(Boolean)).toEqual([
      'Community links',
      'Our group chat: https://t.me/+FibroFriendsGroup',
      'Fibromyalgia Store (where the article comes from): https://fibromyalgia.dashery.com/',
      'Join Our Whatsapp Fibromyalgia Community: https://chat.whatsapp.com/community-test',
    ]);
    expect(all.match(/fibromyalgia\.dashery\.com/g)).toHaveLength(1);
    await community.close();
  });

  it('/links without a group link configured leaves that line out, and still names each URL once', async () => {
    const bare = await createContentStore(path.resolve('content'));
    const links = plainText(linksReply(bare.current().content)).split('\n').filter(Boolean);
    expect(links).toEqual([
      'Community links',
      'Fibromyalgia Store (where the article comes from): https://fibromyalgia.dashery.com/',
    ]);
  });

  it('keeps the core payloads and the plain /start', async () => {
    const { router, community } = await makeBot();
    const faq = await router.handle(
      command(privateChat('telegram', '4242'), MEMBERS.telegram, '/start faq-1'),
    );
    expect(faq[0]?.kind).toBe('faq');
    const plain = await router.handle(command(privateChat('telegram', '4242'), MEMBERS.telegram, '/start'));
    expect(plain[0]?.kind).toBe('welcome');
    expect(texts(plain)).not.toContain('Be kind and patient');
    await community.close();
  });
});

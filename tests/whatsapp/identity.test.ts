import { describe, expect, it, vi } from 'vitest';
import { whatsappModeratorIds } from '../../src/adapters/whatsapp/index.js';
import { Subscriptions } from '../../src/scheduling/subscriptions.js';
import { useTestRedis } from '../helpers/redis-server.js';
import { GROUP } from './fakes.js';
import { setup, stopAdaptersAfterEach, textMessage } from './harness.js';

const db = useTestRedis();
stopAdaptersAfterEach();

const MOD_PN = '15551230007@s.whatsapp.net';
const MOD_LID = '777777777777777@lid';

describe('B4: moderators listed by phone number, where WhatsApp hides numbers', () => {
  it('on open, each number is looked up and its LID recognised (a group message with no participantAlt)', async () => {
    const moderators = new Set(whatsappModeratorIds(['whatsapp:15551230007']));
    const { factory, deliver, clock } = await setup(
      { moderators },
      { moderators },
      { redis: db.redis, open: false },
    );
    factory.current.lidMap.set(MOD_PN, MOD_LID);
    factory.current.open();
    await clock.advance(0);
    expect(moderators.has(`whatsapp:${MOD_LID}`)).toBe(true);
    // No LID->phone lookup now: the alias alone must do.
    factory.current.lidMap.clear();
    await deliver(textMessage({ chat: GROUP, participant: MOD_LID, text: '/whoami' }));
    expect(factory.current.sent[0]!.text).toContain('moderator=true');
  });

  it('falls back to a LID->phone lookup when the message carries no alt id', async () => {
    const moderators = new Set(whatsappModeratorIds(['whatsapp:15551230007']));
    const { factory, deliver } = await setup({}, { moderators }, { redis: db.redis });
    factory.current.lidMap.set(MOD_PN, MOD_LID);
    await deliver(textMessage({ chat: GROUP, participant: MOD_LID, text: '/whoami' }));
    expect(factory.current.sent[0]!.text).toBe(`id=${MOD_LID} alt=${MOD_PN} moderator=true`);
  });

  it('keeps the mapping current from lid-mapping.update', async () => {
    const moderators = new Set(whatsappModeratorIds(['whatsapp:15551230007']));
    const { factory, deliver } = await setup({ moderators }, { moderators }, { redis: db.redis });
    await deliver(textMessage({ chat: GROUP, participant: MOD_LID, text: '/whoami' }));
    expect(factory.current.sent[0]!.text).toContain('moderator=false');
    factory.current.emit('lid-mapping.update', { lid: MOD_LID, pn: MOD_PN });
    await deliver(textMessage({ chat: GROUP, participant: MOD_LID, text: '/whoami' }));
    expect(factory.current.sent[1]!.text).toContain('moderator=true');
  });
});

describe('B5: one person, one private chat id', () => {
  it('a chat first seen by phone JID moves to the LID once known; stored state and choices follow', async () => {
    const onChatMoved = vi.fn();
    const { factory, deliver } = await setup({ onChatMoved }, {}, { redis: db.redis });
    const socket = factory.current;
    // The first message names only the phone JID, and the LID store knows nothing yet.
    await deliver(textMessage({ chat: MOD_PN, text: '/article' }));
    expect(socket.sent[0]!.jid).toBe(MOD_PN);
    expect(socket.sent[0]!.text).toContain('Reply with a number');
    // Later messages carry the LID: one chat id from now on, and the offered choices still count.
    await deliver(textMessage({ chat: MOD_PN, remoteJidAlt: MOD_LID, text: '2' }));
    expect(socket.sent[1]!.jid).toBe(MOD_LID);
    expect(socket.sent[1]!.text).toContain('*2. Understanding Vitamin B12');
    expect(onChatMoved).toHaveBeenCalledTimes(1);
    expect(onChatMoved).toHaveBeenCalledWith(MOD_PN, MOD_LID);
    // The LID chat itself, and further phone-JID messages, stay on the LID without moving again.
    await deliver(textMessage({ chat: MOD_LID, remoteJidAlt: MOD_PN, text: '/rules' }));
    socket.lidMap.set(MOD_PN, MOD_LID);
    await deliver(textMessage({ chat: MOD_PN, text: '/rules' }));
    expect(socket.sent.slice(2).map((s) => s.jid)).toEqual([MOD_LID, MOD_LID]);
    expect(onChatMoved).toHaveBeenCalledTimes(1);
  });
});

describe('B5: a subscription follows the chat to its stable id', () => {
  it('Subscriptions.move (what main.ts wires to onChatMoved) keeps the chat subscribed under the LID', async () => {
    const subs = new Subscriptions(db.redis, `subs-${Date.now()}`);
    await subs.add({ platform: 'whatsapp', chatId: MOD_PN, chatType: 'private' });
    expect(await subs.move('whatsapp', MOD_PN, MOD_LID)).toBe(true);
    expect(await subs.has({ platform: 'whatsapp', chatId: MOD_LID })).toBe(true);
    expect(await subs.has({ platform: 'whatsapp', chatId: MOD_PN })).toBe(false);
    expect(await subs.move('whatsapp', MOD_PN, MOD_LID)).toBe(false);
  });
});

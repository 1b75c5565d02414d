import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Content } from '../../src/core/content.js';
import { createMemoryUnansweredLog } from '../../src/core/memory-log.js';
import type { Command, Matcher } from '../../src/core/ports.js';
import { simple } from '../../src/core/replies.js';
import { createRouter, type Router } from '../../src/core/router.js';
import { plainText } from '../../src/core/text.js';
import type { Reply } from '../../src/core/types.js';
import {
  command,
  countInFiles,
  freshChat,
  media,
  press,
  realRouter,
  realStore,
  STACK_LIKE,
  text,
} from './fixtures.js';

let router: Router;
let content: Content;

const purge: Command = {
  name: 'purge',
  description: 'remove spam from the chat',
  action: 'broadcast',
  handle: () => [simple('command', 'Purged 3 messages.')],
};

beforeAll(async () => {
  ({ router, content } = await realRouter({ commands: [purge] }));
});

const one = (replies: Reply[]): Reply => {
  expect(replies).toHaveLength(1);
  return replies[0]!;
};
const faqById = (id: string) => {
  const entry = content.faq.find((e) => e.id === id);
  if (!entry) throw new Error(`the content has no FAQ entry ${id}`);
  return entry;
};
const datas = (r: Reply) => (r.buttons ?? []).map((b) => b.data);

describe('/start', () => {
  it('welcomes by name and offers the menu', async () => {
    const r = one(await router.handle(command('start', '', { sender: { name: 'Maria' } })));
    expect(r.kind).toBe('welcome');
    expect(plainText(r)).toContain('Welcome, Maria!');
    expect(plainText(r)).toContain(content.community.name);
    expect(datas(r)).toEqual(expect.arrayContaining(['faq', 'toc', 'links', 'rules']));
  });

  it('every menu button opens something (none is a dead end)', async () => {
    const r = one(await router.handle(command('start')));
    for (const data of datas(r)) {
      const opened = await router.handle(press(data));
      expect(opened.length, data).toBeGreaterThan(0);
      expect(
        opened.map((o) => o.kind),
        data,
      ).not.toContain('error');
    }
  });

  it('opens an FAQ answer from a deep link by id', async () => {
    const r = one(await router.handle(command('start', 'faq-b12-cure')));
    expect(r.kind).toBe('faq');
    expect(plainText(r)).toContain(faqById('b12-cure').answer);
  });

  it('opens an FAQ answer from a deep link by number', async () => {
    const r = one(await router.handle(command('start', 'faq-3')));
    expect(r.kind).toBe('faq');
    expect(plainText(r)).toContain(content.faq[2]!.question);
    expect(plainText(r)).toContain(content.faq[2]!.answer);
  });

  it('opens a section from a deep link', async () => {
    const r = one(await router.handle(command('start', 'sec-2')));
    expect(r.kind).toBe('section');
    expect(plainText(r)).toContain(`2. ${content.sections[1]!.title}`);
    expect(plainText(r)).toContain(content.sections[1]!.texts[0]!);
  });

  it.each(['nonsense', 'faq-no-such-entry', 'sec-99', 'faq-999', '%%%'])(
    'falls back to the welcome for a bad payload (%s)',
    async (payload) => {
      const r = one(await router.handle(command('start', payload)));
      expect(r.kind).toBe('welcome');
      expect(plainText(r)).toContain(content.community.name);
    },
  );
});

describe('/help', () => {
  const memberCommands = [
    '/start',
    '/faq',
    '/article',
    '/section',
    '/next',
    '/prev',
    '/links',
    '/rules',
    '/disclaimer',
    '/help',
  ];

  it('lists the member commands and hides moderator ones from members', async () => {
    const t = plainText(one(await router.handle(command('help'))));
    for (const c of memberCommands) expect(t).toMatch(new RegExp(`${c}\\b`));
    expect(t).not.toContain('/purge');
    expect(t).not.toContain('For moderators');
  });

  it('shows moderator commands to a moderator', async () => {
    const t = plainText(one(await router.handle(command('help', '', { sender: { isLocalOperator: true } }))));
    expect(t).toContain('/purge');
    expect(t).toContain('remove spam from the chat');
    for (const c of memberCommands) expect(t).toMatch(new RegExp(`${c}\\b`));
  });
});

describe('/faq', () => {
  it('groups the questions by topic: one short button per topic, then one per question', async () => {
    const { faqEntries } = countInFiles();
    expect(faqEntries).toBe(24);
    // Before: a 24-line list of whole questions with 24 full-width buttons.
    const list = one(await router.handle(command('faq')));
    expect(plainText(list)).toBe(
      'Frequently asked questions\n\n24 questions in 5 topics: pick a topic. You can also just ask in your own words, or send /faq and a few words (/faq injections).',
    );
    expect(list.buttons!.map((b) => b.label)).toEqual([
      'About B12 (3)',
      'Fibromyalgia (4)',
      'B12 and fibromyalgia (9)',
      'Who is at risk (3)',
      'Tests and treatment (5)',
    ]);
    // Every question is behind exactly one topic, with a label short enough for two per row.
    const opened: string[] = [];
    for (const topic of list.buttons!) {
      const page = one(await router.handle(press(topic.data)));
      const questions = page.buttons!.filter((b) => !b.nav);
      for (const q of questions) {
        expect(q.label.length, q.label).toBeLessThanOrEqual(24);
        const answer = one(await router.handle(press(q.data)));
        expect(answer.kind).toBe('faq');
        opened.push(answer.meta!.faqId!);
      }
      // The choices are the buttons: the text does not list them a second time.
      for (const q of questions) expect(plainText(page)).not.toContain(q.label);
    }
    expect(opened.sort()).toEqual(content.faq.map((e) => e.id).sort());
  });

  it('a topic page names its topic, goes back to the topics and on to the next one', async () => {
    const page = one(await router.handle(press('page:faq:tests-treatment', { chatType: 'private' })));
    expect(plainText(page)).toContain('Questions: Tests and treatment');
    expect(page.buttons!.map((b) => b.label)).toEqual([
      'How is low B12 treated?',
      'Who should be tested?',
      'How soon does B12 help?',
      'Which blood tests?',
      'Other nutrients to check',
      '◀ Topics',
    ]);
    const first = one(await router.handle(press('page:faq:about-b12', { chatType: 'private' })));
    expect(first.buttons!.filter((b) => b.nav).map((b) => [b.label, b.data])).toEqual([
      ['◀ Topics', 'page:faq'],
      ['Next topic ▶', 'page:faq:fibromyalgia'],
    ]);
  });

  it("turns the FAQ's pages in place only in a private chat; a group gets a new message", async () => {
    expect(one(await router.handle(press('page:faq:about-b12', { chatType: 'private' }))).editInPlace).toBe(
      true,
    );
    expect(one(await router.handle(press('page:faq', { chatType: 'private' }))).editInPlace).toBe(true);
    expect(one(await router.handle(press('page:faq:about-b12', { chatType: 'group' }))).editInPlace).toBe(
      false,
    );
    expect(one(await router.handle(press('page:faq', { chatType: 'group' }))).editInPlace).toBe(false);
    // "More questions" under an answer opens the topics as a new message, wherever it is pressed.
    expect(one(await router.handle(press('faq', { chatType: 'private' }))).editInPlace).toBeFalsy();
    expect(one(await router.handle(command('faq'))).editInPlace).toBeFalsy();
    expect(one(await router.handle(press('page:faq:no-such-topic'))).kind).toBe('error');
  });

  it('keeps every button within 64 bytes of data (Telegram refuses longer)', async () => {
    const r = one(await router.handle(command('faq')));
    for (const b of r.buttons ?? [])
      expect(Buffer.byteLength(b.data, 'utf8'), b.data).toBeLessThanOrEqual(64);
  });

  it('answers /faq 5 with the fifth entry', async () => {
    const r = one(await router.handle(command('faq', '5')));
    expect(r.kind).toBe('faq');
    expect(plainText(r)).toContain(content.faq[4]!.question);
    expect(plainText(r)).toContain(content.faq[4]!.answer);
    expect(plainText(r)).toContain(content.community.disclaimer.replace(/\s+/g, ' ').trim());
  });

  it('answers /faq b12-cure by id', async () => {
    const r = one(await router.handle(command('faq', 'b12-cure')));
    expect(r.kind).toBe('faq');
    expect(plainText(r)).toContain(faqById('b12-cure').answer);
  });

  it('credits the section the answer is copied from, and offers the section to read for more', async () => {
    const entry = faqById('fibro-cause-unknown');
    expect(entry.see).not.toBe(entry.section);
    const r = one(await router.handle(command('faq', entry.id)));
    const from = content.sections[entry.section - 1]!;
    expect(plainText(r)).toContain(`From the article, section "${from.title}".`);
    expect(from.texts.join(' ')).toContain(entry.answer);
    expect(datas(r)).toContain(`sec:${entry.see}`);
  });

  it('says clearly that /faq abc found nothing, and how to see the list', async () => {
    const r = one(await router.handle(command('faq', 'abc')));
    expect(r.kind).toBe('error');
    expect(plainText(r)).toMatch(/no FAQ entry for "abc"/);
    expect(plainText(r)).toContain('/faq');
    expect(datas(r)).toContain('faq');
  });

  it('says clearly that /faq 999 does not exist and how many there are', async () => {
    const r = one(await router.handle(command('faq', '999')));
    expect(r.kind).toBe('error');
    expect(plainText(r)).toContain('There is no question 999');
    expect(plainText(r)).toContain(String(content.faq.length));
  });
});

describe('the article', () => {
  it('/article shows a table of contents with the 10 sections', async () => {
    expect(countInFiles().sections).toBe(10);
    const r = one(await router.handle(command('article')));
    const t = plainText(r);
    for (const [i, s] of content.sections.entries()) expect(t).toContain(`${i + 1}. ${s.title}`);
    expect(r.buttons?.map((b) => b.data)).toEqual(Array.from({ length: 10 }, (_, i) => `page:${i + 1}`));
    expect(t).toContain(content.source);
  });

  it('/section 2 shows the whole section with its source', async () => {
    const r = one(await router.handle(command('section', '2')));
    expect(r.kind).toBe('section');
    const t = plainText(r);
    for (const para of content.sections[1]!.texts) expect(t).toContain(para);
    expect(t).toContain('Section 2 of 10');
    expect(t).toContain(content.source);
    expect(datas(r)).toEqual(['page:1', 'page:toc', 'page:3']);
  });

  it('/section finds a section by words of its title', async () => {
    const r = one(await router.handle(command('section', 'who is at risk')));
    expect(r.kind).toBe('section');
    expect(plainText(r)).toContain('Who Is at Risk for Vitamin B12 Deficiency');
  });

  it('/section 999 is a clear error pointing to the contents', async () => {
    const r = one(await router.handle(command('section', '999')));
    expect(r.kind).toBe('error');
    expect(plainText(r)).toContain('There is no section "999"');
    expect(plainText(r)).toContain('10 sections');
    expect(datas(r)).toContain('toc');
  });

  it('/next and /prev walk the sections and stop at both ends', async () => {
    const where = { chatId: freshChat('reader') };
    const title = async (replies: Promise<Reply[]>) => plainText(one(await replies)).split('\n')[0];

    expect(await title(router.handle(command('next', '', where)))).toBe(`1. ${content.sections[0]!.title}`);
    expect(await title(router.handle(command('prev', '', where)))).toBe(
      'You are at the first section already.',
    );
    expect(await title(router.handle(command('next', '', where)))).toBe(`2. ${content.sections[1]!.title}`);

    await router.handle(command('section', '9', where));
    expect(await title(router.handle(command('next', '', where)))).toBe(`10. ${content.sections[9]!.title}`);
    const last = one(await router.handle(command('next', '', where)));
    expect(plainText(last)).toBe('That was the last section.');
    expect(await title(router.handle(command('prev', '', where)))).toBe(`9. ${content.sections[8]!.title}`);

    // A pressed section button moves the reading position too.
    await router.handle(press('sec:4', where));
    expect(await title(router.handle(command('next', '', where)))).toBe(`5. ${content.sections[4]!.title}`);
  });

  it('keeps reading positions apart for different chats', async () => {
    const a = { chatId: freshChat('a') };
    const b = { chatId: freshChat('b') };
    await router.handle(command('section', '7', a));
    const next = one(await router.handle(command('next', '', b)));
    expect(plainText(next)).toContain(`1. ${content.sections[0]!.title}`);
  });
});

describe('button presses', () => {
  it('sec:N (under a welcome or an answer) opens that section as a new message, never in place', async () => {
    for (const chatType of ['private', 'group'] as const) {
      const r = one(await router.handle(press('sec:3', { chatType })));
      expect(r.kind).toBe('section');
      expect(r.editInPlace).toBe(false);
      expect(plainText(r)).toContain(`3. ${content.sections[2]!.title}`);
    }
  });

  it('page:N turns the page in place in a private chat, and sends a new message in a group', async () => {
    const own = one(await router.handle(press('page:3', { chatType: 'private' })));
    expect(own.editInPlace).toBe(true);
    expect(plainText(own)).toContain(`3. ${content.sections[2]!.title}`);
    const shared = one(await router.handle(press('page:3', { chatType: 'group' })));
    expect(shared.editInPlace).toBe(false);
    expect(one(await router.handle(press('page:toc', { chatType: 'private' }))).editInPlace).toBe(true);
    expect(one(await router.handle(press('page:toc', { chatType: 'group' }))).editInPlace).toBe(false);
  });

  it('the first and last sections offer no way past the ends', async () => {
    expect(datas(one(await router.handle(press('page:1'))))).toEqual(['page:toc', 'page:2']);
    expect(datas(one(await router.handle(press('page:10'))))).toEqual(['page:9', 'page:toc']);
  });

  it('faq:<id> opens the answer', async () => {
    const r = one(await router.handle(press('faq:b12-cure')));
    expect(r.kind).toBe('faq');
    expect(plainText(r)).toContain(faqById('b12-cure').answer);
  });

  it('toc (under a welcome) shows the contents as a new message: the welcome stays', async () => {
    const r = one(await router.handle(press('toc')));
    expect(r.editInPlace).toBe(false);
    expect(r.buttons).toHaveLength(10);
  });

  it('psg:s:p shows that passage of the article', async () => {
    const r = one(await router.handle(press('psg:2:0')));
    expect(r.kind).toBe('section');
    expect(plainText(r)).toContain(content.sections[1]!.texts[0]!);
    expect(datas(r)).toContain('sec:2');
  });

  it.each([
    'sec:99',
    'sec:0',
    'sec:abc',
    'faq:no-such-entry',
    'faq:999',
    'psg:99:0',
    'psg:2:999',
    'psg:x',
    'zzz',
    'zzz:1',
    '',
  ])('a stale or unknown press (%j) says the choice is gone, without throwing', async (data) => {
    const r = one(await router.handle(press(data)));
    expect(r.kind).toBe('error');
    expect(plainText(r)).toContain('no longer available');
  });

  it('every button the bot shows leads somewhere (TOC, FAQ list, every section, every answer)', async () => {
    const shown: Reply[] = [
      ...(await router.handle(command('article'))),
      ...(await router.handle(command('faq'))),
    ];
    for (let s = 1; s <= content.sections.length; s++)
      shown.push(...(await router.handle(command('section', String(s)))));
    for (const e of content.faq) shown.push(...(await router.handle(command('faq', e.id))));
    for (const t of content.faqTopics) shown.push(...(await router.handle(press(`page:faq:${t.id}`))));
    const all = new Set(shown.flatMap(datas));
    expect(all.size).toBeGreaterThan(content.faq.length + content.sections.length);
    for (const data of all) {
      expect(Buffer.byteLength(data, 'utf8'), data).toBeLessThanOrEqual(64);
      const opened = await router.handle(press(data));
      expect(
        opened.map((o) => o.kind),
        data,
      ).not.toContain('error');
    }
  });
});

describe('community texts', () => {
  it('/links lists the community links with their addresses', async () => {
    const t = plainText(one(await router.handle(command('links'))));
    // The store is where the article comes from: its address once, not again as "The article".
    expect(t).toContain(
      'Fibromyalgia Store (where the article comes from): https://fibromyalgia.dashery.com/',
    );
    expect(t.match(/fibromyalgia\.dashery\.com/g)).toHaveLength(1);
    // Links whose address comes from configuration are left out when it is not set.
    expect(t).not.toContain('Whatsapp');
  });

  it('/rules lists the rules, numbered', async () => {
    const t = plainText(one(await router.handle(command('rules'))));
    for (const [i, rule] of content.community.rules.entries()) expect(t).toContain(`${i + 1}. ${rule}`);
  });

  it('/disclaimer says it is not medical advice and names the source', async () => {
    const t = plainText(one(await router.handle(command('disclaimer'))));
    expect(t).toMatch(/not medical\s+advice/);
    expect(t).toContain(content.source);
  });

  it('an unknown command gets a hint to /help', async () => {
    const r = one(await router.handle(command('frobnicate')));
    expect(plainText(r)).toContain("I don't know the command /frobnicate");
    expect(plainText(r)).toContain('/help');
  });
});

describe('free text', () => {
  it('answers "can b12 cure fibro?" with the FAQ answer and a way to the whole section', async () => {
    const r = one(await router.handle(text('can b12 cure fibro?')));
    expect(r.kind).toBe('faq');
    const entry = faqById('b12-cure');
    expect(plainText(r)).toContain(entry.answer);
    // The answer names the section its words come from; "Read the whole section" opens that one.
    const named = content.sections[entry.section - 1]!;
    expect(plainText(r)).toContain(`section "${named.title}"`);
    const read = r.buttons?.find((b) => b.label === 'Read the whole section');
    expect(read?.data).toBe(`sec:${entry.section}`);
    const section = one(await router.handle(press(read!.data)));
    expect(plainText(section).split('\n')[0]).toBe(`${named.number}. ${named.title}`);
    // The section to read for more has its own, short button.
    const more = r.buttons?.find((b) => b.label.startsWith('Read more: '));
    expect(more?.data).toBe(`sec:${entry.see}`);
    expect(more!.label.length).toBeLessThanOrEqual(43);
  });

  it('falls back on an off-topic question and records it for moderators', async () => {
    const unanswered = createMemoryUnansweredLog();
    const { router: r } = await realRouter({ unanswered });
    const since = new Date(Date.now() - 60_000);
    const reply = one(await r.handle(text('who won the football last night?')));
    expect(reply.kind).toBe('fallback');
    expect(plainText(reply)).toContain("I don't have an answer");
    expect(datas(reply)).toEqual(expect.arrayContaining(['faq', 'toc']));
    await r.handle(text('Who won the football last night'));
    // Recording runs in the background: wait for both records, then check they were grouped as one.
    await vi.waitFor(async () => {
      const [first] = await unanswered.list({ since, limit: 10 });
      expect(first?.similar).toBe(2);
    });
    const top = await unanswered.list({ since, limit: 10 });
    expect(top).toHaveLength(1);
    expect(top[0]).toMatchObject({ similar: 2, outcome: 'chatter' });
    expect(top[0]?.text).toMatch(/^who won the football last night\??$/i);
  });

  it('does not record answered questions as unanswered', async () => {
    const unanswered = createMemoryUnansweredLog();
    const { router: r } = await realRouter({ unanswered });
    await r.handle(text('can b12 cure fibro?'));
    expect(await unanswered.list({ since: new Date(0), limit: 10 })).toEqual([]);
  });

  it('answers an emergency with the safety message first', async () => {
    const replies = await router.handle(text('I have crushing chest pain'));
    expect(replies[0]?.kind).toBe('safety');
    expect(plainText(replies[0]!)).toMatch(/emergency number/);
    expect(replies.map((r) => r.kind)).not.toContain('fallback');
  });

  it('answers an emergency plus a question with the safety message first', async () => {
    const replies = await router.handle(text('I have crushing chest pain, can b12 cure fibro?'));
    expect(replies[0]?.kind).toBe('safety');
    // Beside the safety message only a confident answer is worth sending: no fallback, no "did you mean".
    for (const r of replies.slice(1)) expect(r.kind).toBe('faq');
  });

  it('sends the safety message before the answer when the question is answered', async () => {
    // A matcher sure of its answer, so the order is tested whatever the real matcher's tuning.
    const store = await realStore();
    const sure: Matcher = {
      search: () => ({
        decision: 'answer',
        candidates: [{ target: { type: 'faq', id: 'b12-cure' }, score: 10, label: 'cure' }],
      }),
    };
    const r = createRouter({
      content: { current: () => ({ content: store.current().content, matcher: sure }) },
    });
    const replies = await r.handle(text('I have crushing chest pain, can b12 cure fibro?'));
    expect(replies.map((x) => x.kind)).toEqual(['safety', 'faq']);
    expect(plainText(replies[1]!)).toContain(faqById('b12-cure').answer);
  });

  it('puts safety first even inside a command', async () => {
    const replies = await router.handle(command('faq', 'i want to kill myself'));
    expect(replies[0]?.kind).toBe('safety');
  });
});

describe('graded emergencies: caution beside the answer', () => {
  it('answers a question about a serious symptom and adds a one-line caution, not the safety message', async () => {
    const counted: string[] = [];
    const logged: object[] = [];
    const { router: r } = await realRouter({
      stats: { recordAnswer: async (kind) => void counted.push(kind) },
      logger: { info: (obj) => void logged.push(obj), warn: () => {}, error: () => {} },
    });
    const replies = await r.handle(text('does fibromyalgia cause chest pain?'));
    expect(replies.map((x) => x.kind)).not.toContain('safety');
    expect(replies[replies.length - 1]?.kind).toBe('caution');
    expect(replies.length).toBeGreaterThan(1);
    expect(plainText(replies[replies.length - 1]!)).toMatch(/happening to you .* now, call .*999/);
    // /stats counts cautions apart from emergencies.
    expect(counted).toContain('caution');
    expect(counted).not.toContain('safety');
    // The log line says what decided: here a pattern, and the rule that made it a caution.
    expect(logged).toContainEqual(
      expect.objectContaining({ safety: 'caution', reason: expect.stringMatching(/pattern ".*", but /) }),
    );
  });

  it('logs which pattern or feature made a message an emergency', async () => {
    const logged: { safety?: string; reason?: string }[] = [];
    const { router: r } = await realRouter({
      logger: { info: (obj) => void logged.push(obj), warn: () => {}, error: () => {} },
    });
    const replies = await r.handle(text('I have crushing chest pain'));
    expect(replies[0]?.kind).toBe('safety');
    expect(logged[0]?.safety).toBe('emergency');
    expect(logged[0]?.reason).toMatch(/^pattern "/);
  });

  it('adds no caution to chatter it leaves alone in a group', async () => {
    const replies = await router.handle(
      text('years ago i had chest pain, turned out to be costochondritis', {
        chatType: 'group',
        chatId: freshChat('g'),
      }),
    );
    expect(replies).toEqual([]);
  });

  it('lays the emergency message out: what to do now first, then a short line per kind', async () => {
    const r = (await router.handle(text('I want to end my life')))[0]!;
    expect(r.kind).toBe('safety');
    const [first, rest] = r.paragraphs;
    expect(first?.every((i) => i.style === 'bold')).toBe(true);
    expect(first?.map((i) => i.text).join('')).toMatch(/^Call your emergency number now/);
    const lines = (rest ?? [])
      .map((i) => i.text)
      .join('')
      .split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(130);
    // Every number is a tappable link.
    const links = r.paragraphs.flat().filter((i) => i.href);
    expect(links.map((i) => i.href)).toEqual(
      expect.arrayContaining(['tel:112', 'tel:911', 'tel:999', 'tel:988', 'tel:116123']),
    );
  });
});

describe('in a group', () => {
  const group = (extra: { addressed?: boolean } = {}) => ({
    chatType: 'group' as const,
    chatId: freshChat('g'),
    ...extra,
  });

  it('stays quiet on chatter not addressed to the bot', async () => {
    expect(await router.handle(text('lol same here', group()))).toEqual([]);
    expect(await router.handle(text('good morning everyone, rough night', group()))).toEqual([]);
  });

  it('answers a question it is sure about even when not addressed', async () => {
    const r = one(await router.handle(text('can b12 supplements cure fibromyalgia?', group())));
    expect(r.kind).toBe('faq');
    expect(plainText(r)).toContain(faqById('b12-cure').answer);
  });

  it('stays quiet on an unclear question not addressed to it', async () => {
    expect(await router.handle(text('what do you all think about that?', group()))).toEqual([]);
    expect(await router.handle(text('who won the football last night?', group()))).toEqual([]);
  });

  it('answers in full when addressed: answer, fallback', async () => {
    const answer = one(await router.handle(text('can b12 cure fibro?', group({ addressed: true }))));
    expect(answer.kind).toBe('faq');
    const fallback = one(
      await router.handle(text('who won the football last night?', group({ addressed: true }))),
    );
    expect(fallback.kind).toBe('fallback');
  });

  it('offers suggestions when addressed with a close call', async () => {
    // Whatever the matcher decides, an addressed question always gets a reply.
    const replies = await router.handle(text('b12', group({ addressed: true })));
    expect(replies).toHaveLength(1);
    expect(['faq', 'section', 'suggestions', 'fallback']).toContain(replies[0]!.kind);
  });

  it('always answers commands', async () => {
    const r = one(await router.handle(command('faq', '5', group())));
    expect(r.kind).toBe('faq');
    expect(one(await router.handle(command('rules', '', group()))).kind).toBe('command');
  });

  it('answers an emergency with the safety message even when not addressed', async () => {
    const replies = await router.handle(text('my friend is having a heart attack', group()));
    expect(replies.map((r) => r.kind)).toEqual(['safety']);
  });

  it('ignores media unless addressed', async () => {
    expect(await router.handle(media('sticker', group()))).toEqual([]);
  });
});

describe('senders and media', () => {
  it('ignores other bots entirely', async () => {
    expect(await router.handle(command('help', '', { sender: { isBot: true } }))).toEqual([]);
    expect(await router.handle(text('can b12 cure fibro?', { sender: { isBot: true } }))).toEqual([]);
  });

  it('tells a private chat it cannot read media', async () => {
    const r = one(await router.handle(media('voice note')));
    expect(plainText(r)).toContain("I can't read a voice note");
    expect(plainText(r)).toContain('type your question');
  });
});

describe('failures and permissions', () => {
  it('turns a handler that throws into an error reply, logs it, and does not throw', async () => {
    const logged: object[] = [];
    const boom: Command = {
      name: 'boom',
      description: 'always fails',
      handle: () => {
        throw new Error('database exploded at /srv/secret/path.ts:12:3');
      },
    };
    const { router: r } = await realRouter({
      commands: [boom],
      logger: { warn: () => {}, error: (obj) => logged.push(obj) },
    });
    const reply = one(await r.handle(command('boom')));
    expect(reply.kind).toBe('error');
    expect(plainText(reply)).toContain('something went wrong');
    expect(plainText(reply)).not.toContain('exploded');
    expect(plainText(reply)).not.toMatch(STACK_LIKE);
    expect(logged).toHaveLength(1);
  });

  it('refuses a moderator-only command to a member', async () => {
    const r = one(await router.handle(command('purge')));
    expect(r.kind).toBe('refused');
    expect(plainText(r)).toContain('/purge');
    expect(plainText(r)).toContain('moderators');
    expect(plainText(r)).not.toContain('Purged');
  });

  it('allows it to a moderator named in MODERATORS (platform:id)', async () => {
    const { router: r } = await realRouter({ commands: [purge], moderators: new Set(['console:u1']) });
    expect(plainText(one(await r.handle(command('purge'))))).toBe('Purged 3 messages.');
    // The same id on another platform is someone else.
    expect(
      one(
        await r.handle({
          ...command('purge'),
          chat: { platform: 'telegram', chatId: '1', chatType: 'private' },
        }),
      ).kind,
    ).toBe('refused');
    expect(one(await r.handle(command('purge', '', { sender: { id: 'u2' } }))).kind).toBe('refused');
  });

  it('allows it by the alternate id (WhatsApp phone JID beside a LID)', async () => {
    const { router: r } = await realRouter({ commands: [purge], moderators: new Set(['console:phone-1']) });
    expect(
      one(await r.handle(command('purge', '', { sender: { id: 'lid-1', altId: 'phone-1' } }))).kind,
    ).toBe('command');
  });

  it('allows it to the local operator, and refuses an admin of a chat the community does not know', async () => {
    expect(one(await router.handle(command('purge', '', { sender: { isChatAdmin: true } }))).kind).toBe(
      'refused',
    );
    expect(one(await router.handle(command('purge', '', { sender: { isLocalOperator: true } }))).kind).toBe(
      'command',
    );
  });
});

describe('bad input', () => {
  // Deterministic "random" bytes so a failure can be reproduced.
  const junk = (n: number, seed = 42) => {
    let x = seed;
    const bytes = Buffer.alloc(n);
    for (let i = 0; i < n; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      bytes[i] = x >>> 24;
    }
    return bytes.toString('latin1');
  };

  const cases: [string, () => ReturnType<typeof text>][] = [
    ['an empty line', () => text('')],
    ['only spaces', () => text('   \t  ')],
    [
      '100,000 characters',
      () => text('why does my b12 level matter so much? '.repeat(2_700).slice(0, 100_000)),
    ],
    ['100,000 letters without a space', () => text('a'.repeat(100_000))],
    ['binary junk', () => text(junk(4_000))],
    ['emoji only', () => text('😭🙏💜✨')],
    ['/section 999', () => command('section', '999')],
    ['/faq abc', () => command('faq', 'abc')],
    ['/section with 100,000 characters', () => command('section', 'x '.repeat(50_000))],
    ['/faq with binary junk', () => command('faq', junk(2_000, 7))],
    ['/start with binary junk', () => command('start', junk(500, 9))],
    ['a press with binary junk', () => press(junk(200, 11))],
  ];

  it.each(cases)('%s: a clear reply, never a throw or a stack trace', async (_name, make) => {
    const replies = await router.handle(make());
    expect(replies.length).toBeGreaterThan(0);
    for (const r of replies) {
      const t = plainText(r);
      expect(t.trim()).not.toBe('');
      expect(t).not.toMatch(STACK_LIKE);
      // A reply never echoes a huge input back.
      expect(t.length).toBeLessThan(10_000);
    }
  });

  it('says a message without words has no words it can read', async () => {
    for (const t of ['', '😭🙏💜✨', '?!...']) {
      const r = one(await router.handle(text(t)));
      expect(plainText(r)).toContain('no words I can read');
    }
  });
});

describe('an emergency', () => {
  it('hands its safety reply to the caller before any bookkeeping or guard, however slow', async () => {
    const never = new Promise<never>(() => undefined);
    const slow = createRouter({
      content: (await realStore()) as never,
      stats: { recordAnswer: () => never } as never,
      guards: [() => never],
    });
    const early: Reply[] = [];
    void slow.handle(text('I have crushing chest pain'), { urgent: (r) => early.push(...r) });
    await new Promise((r) => setTimeout(r, 50));
    expect(early.map((r) => r.kind)).toEqual(['safety']);
  });

  it('leaves the safety reply out of the answer when it went early, and keeps it in otherwise', async () => {
    const early: Reply[] = [];
    const withHook = await router.handle(text('I have crushing chest pain'), {
      urgent: (r) => early.push(...r),
    });
    expect(early.map((r) => r.kind)).toEqual(['safety']);
    expect(withHook.map((r) => r.kind)).not.toContain('safety');
    const without = await router.handle(text('I have crushing chest pain'));
    expect(without[0]?.kind).toBe('safety');
  });
});

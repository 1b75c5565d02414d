/**
 * The moderators' web console in a real browser (Debian's chromium through playwright-core),
 * against the real bot: `src/main.ts --console --jsonl` with its embedded redis-server and its ops
 * server. Sign-in links come from `/console` in the console chat; posts are delivered to it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { AxeBuilder } from '@axe-core/playwright';
import { Redis } from 'ioredis';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../helpers/chromium.js';

// The screenshots shown in docs/ are taken anew only when asked (UPDATE_SCREENSHOTS=1 npm test);
// an ordinary run writes them to a scratch folder, so tests never change tracked files.
const SHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.resolve('docs/console')
    : path.join(tmpdir(), 'bot-console-shots');
/** A question the shipped content does not answer, and the FAQ entry a moderator teaches for it. */
const QUESTION = 'is the blood work for b12 a fasting one';
const TAUGHT_FAQ = 'b12-tests';
/** Unanswered by the shipped content; a moderator teaches it as section 8 (long-term care). */
const SECTION_QUESTION = 'where does all this leave me in the long run';

type Line = Record<string, unknown>;
interface Bot {
  child: ChildProcess;
  lines: Line[];
  say(line: string | Record<string, unknown>, ms?: number): Promise<Line>;
  waitFor(pred: (l: Line) => boolean, what: string, ms?: number): Promise<Line>;
  stderr(): string;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

function startBot(dataDir: string, port: number): Bot {
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    PORT: String(port),
    HOST: '127.0.0.1',
    COMMUNITY_TIMEZONE: 'Europe/London',
    ADMIN_USER: 'operator',
    ADMIN_PASSWORD: 'correct horse battery',
    COMMUNITY_CHATS: 'console:g1,console:g2',
  };
  for (const k of ['REDIS_URL', 'TELEGRAM_BOT_TOKEN', 'WHATSAPP_ENABLED', 'PUBLIC_URL']) delete env[k];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--console', '--jsonl'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines: Line[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(JSON.parse(l) as Line);
    for (const w of waiters.splice(0)) w();
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const until = async (find: () => Line | undefined, what: string, ms = 30_000) => {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = find();
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no ${what} within ${ms} ms; stdout: ${JSON.stringify(lines)} stderr: ${stderr}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  const waitFor = (pred: (l: Line) => boolean, what: string, ms = 30_000) =>
    until(() => lines.find(pred), what, ms);
  const say = async (line: string | Record<string, unknown>, ms = 45_000) => {
    const text = typeof line === 'string' ? line : JSON.stringify(line);
    const label = typeof line === 'string' ? line : String(line.text ?? line.press);
    const answers = () => lines.filter((l) => l.input === label);
    const before = answers().length;
    child.stdin!.write(`${text}\n`);
    return until(() => answers()[before], `reply to ${label}`, ms);
  };
  return { child, lines, say, waitFor, stderr: () => stderr };
}

const replyOf = (l: Line) => (l.replies as { kind: string; text: string }[])[0]!;
const linkIn = (text: string) => /(http:\/\/\S+\/console\/signin\?token=\S+)/.exec(text)?.[1];
const deliveries = (lines: Line[]) =>
  lines
    .filter((l) => 'delivery' in l)
    .map((l) => l.delivery as { chatId: string; kind: string; text: string });

let dataDir: string;
let bot: Bot;
let base: string;
let browser: Browser;
let redis: Redis;
let moderator: BrowserContext;

async function signIn(context: BrowserContext, link: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(link);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
  return page;
}

/** The number a console table shows in `column` for the row naming `row` (inside `region`). */
async function figure(page: Page, region: string, row: string, column = -1): Promise<string> {
  const cells = page
    .getByRole('region', { name: region, includeHidden: true })
    .locator('tr', { hasText: row })
    .locator('td');
  return ((await cells.nth(column).textContent()) ?? '').trim();
}

/** The `_csrf` token of the page's forms (the sign-out form carries one on every page). */
const csrfOf = (page: Page) => page.locator('input[name=_csrf]').first().inputValue();

async function seriousViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'bot-console-web-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  bot = startBot(dataDir, port);
  // The console chat answers once the bot (and its ops server) is up.
  await bot.say('/help', 120_000);
  redis = new Redis({ path: path.join(dataDir, 'redis', 'redis.sock') });
  browser = await launchChromium();
  moderator = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  mkdirSync(SHOTS, { recursive: true });
}, 180_000);

afterAll(async () => {
  await moderator?.close();
  await browser?.close();
  redis?.disconnect();
  if (bot && bot.child.exitCode === null) {
    bot.child.stdin!.end();
    bot.child.kill('SIGTERM');
    await new Promise((r) => bot.child.once('exit', r));
  }
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

describe('signing in', () => {
  it('/console in the console chat gives a link that signs the moderator in', async () => {
    const reply = replyOf(await bot.say('/console'));
    const link = linkIn(reply.text);
    expect(link, reply.text).toMatch(new RegExp(`^${base}/console/signin\\?token=`));
    const page = await signIn(moderator, link!);
    await expect(page.getByText('Signed in as Operator (moderator)').count()).resolves.toBe(1);
    const cookie = (await moderator.cookies()).find((c) => c.name === 'console_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/console' });
    const headers = (await page.request.get(`${base}/console/`)).headers();
    expect(headers['content-security-policy']).toContain("script-src 'self'");
    expect(headers['content-security-policy']).not.toContain('unsafe-inline');
  });

  it('refuses a link used already', async () => {
    const link = linkIn(replyOf(await bot.say('/dashboard')).text)!;
    const first = await browser.newContext();
    await signIn(first, link);
    await first.close();
    const second = await browser.newContext();
    const page = await second.newPage();
    const res = await page.goto(link);
    expect(res?.status()).toBe(410);
    await expect(page.getByText('already used').count()).resolves.toBe(1);
    // Posting the token again does not sign in either.
    const token = new URL(link).searchParams.get('token')!;
    const post = await page.request.post(`${base}/console/signin`, { form: { token }, maxRedirects: 0 });
    expect(post.status()).toBe(410);
    await second.close();
  });

  it('refuses an expired link', async () => {
    const link = linkIn(replyOf(await bot.say('/console')).text)!;
    // Ten minutes pass: the link's record expires in Redis.
    const id = new URL(link).searchParams.get('token')!.split('.')[0]!;
    expect(await redis.pexpire(`bot:console:link:${id}`, 1)).toBe(1);
    await new Promise((r) => setTimeout(r, 20));
    const context = await browser.newContext();
    const page = await context.newPage();
    const res = await page.goto(link);
    expect(res?.status()).toBe(410);
    await expect(page.getByText('has expired').count()).resolves.toBe(1);
    await context.close();
  });

  it('refuses a forged token and a visitor without a session', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    expect((await page.goto(`${base}/console/signin?token=abc`))?.status()).toBe(400);
    await page.goto(`${base}/console/review`);
    expect(page.url()).toBe(`${base}/console/login`);
    await context.close();
  });
});

describe('questions to review', () => {
  it('a member question appears; a moderator teaches it; the same question is then answered', async () => {
    const before = replyOf(
      await bot.say({ text: QUESTION, userId: 'member1', name: 'Mel', moderator: false }),
    );
    expect(before.kind).toBe('fallback');
    const page = await moderator.newPage();
    await page.goto(`${base}/console/review`);
    const item = page.locator('article.question', { hasText: QUESTION });
    await expect(item.count()).resolves.toBe(1);
    await item.getByRole('link', { name: 'Teach…' }).click();
    await page.getByLabel('This question is answered by the FAQ entry').selectOption(TAUGHT_FAQ);
    await page.getByRole('button', { name: 'Teach the FAQ entry' }).click();
    await page.getByText(`Taught: “${QUESTION}”`).waitFor();
    // Handled: it leaves the list, and the audit log says who did it.
    await expect(page.locator('article.question', { hasText: QUESTION }).count()).resolves.toBe(0);
    const after = replyOf(
      await bot.say({ text: QUESTION, userId: 'member1', name: 'Mel', moderator: false }),
    );
    expect(after.kind).toBe('faq');
    expect(after.text).toMatch(/test/i);
    await page.goto(`${base}/console/audit`);
    await expect(page.getByRole('cell', { name: 'teach' }).count()).resolves.toBeGreaterThan(0);
    console.log(
      `teach loop: "${QUESTION}"\n  before: ${before.kind}: ${before.text}\n  after: ${after.kind}: ${after.text}`,
    );
    await page.close();
  });

  it('a question taught as an article section is then answered outright with that section', async () => {
    const member = { text: SECTION_QUESTION, userId: 'member1', name: 'Mel', moderator: false };
    const before = replyOf(await bot.say(member));
    expect(before.kind).toBe('fallback');
    const page = await moderator.newPage();
    await page.goto(`${base}/console/review`);
    const item = page.locator('article.question', { hasText: SECTION_QUESTION });
    await item.getByRole('link', { name: 'Teach…' }).click();
    await page.getByLabel('Or it is answered by the article section').selectOption('8');
    await page.getByRole('button', { name: 'Teach the section' }).click();
    await page.getByText(`Taught: “${SECTION_QUESTION}” is now answered with article section 8`).waitFor();
    const after = replyOf(await bot.say(member));
    expect(after.kind).toBe('section');
    expect(after.text).toMatch(/^Implications for Long-Term Fibromyalgia Care/);
    console.log(
      `section teach loop: "${SECTION_QUESTION}"\n  before: ${before.kind}: ${before.text}\n  after: ${after.kind}: ${after.text}`,
    );
    await page.close();
  }, 120_000);

  it('refuses a forged form post (no CSRF token, or a wrong one)', async () => {
    const page = await moderator.newPage();
    await page.goto(`${base}/console/review`);
    for (const form of [{ text: QUESTION }, { text: QUESTION, _csrf: 'x'.repeat(32) }]) {
      const res = await page.request.post(`${base}/console/review/dismiss`, {
        form: form as Record<string, string>,
        maxRedirects: 0,
      });
      expect(res.status()).toBe(403);
      expect(await res.text()).toContain('CSRF');
    }
    await page.close();
  });
});

describe('posts', () => {
  it('a post created in the page is delivered at its time; a cancelled one never is', async () => {
    const page = await moderator.newPage();
    // The next whole minute at least 20 s away, in the community's time zone (Europe/London).
    const at = new Date(Math.ceil((Date.now() + 20_000) / 60_000) * 60_000);
    const local = new Intl.DateTimeFormat('sv-SE', {
      timeZone: 'Europe/London',
      dateStyle: 'short',
      timeStyle: 'short',
    })
      .format(at)
      .replace(' ', 'T');
    const create = async (text: string) => {
      await page.goto(`${base}/console/posts`);
      await page.getByLabel('When (Europe/London time)').first().fill(local);
      await page.getByLabel('Who gets it').selectOption('platform:console');
      await page.locator('#text').fill(text);
      await page.getByRole('button', { name: 'Preview' }).click();
      await expect(page.getByRole('heading', { name: 'Preview' }).count()).resolves.toBe(1);
      await page.getByRole('button', { name: 'Schedule' }).click();
      const flash = await page.getByText(/Post #\d+ is scheduled/).textContent();
      return Number(/#(\d+)/.exec(flash!)![1]);
    };
    await create('Coffee morning on Friday <b>10am</b>');
    const cancelled = await create('This one is called off');
    await page.getByRole('button', { name: `Cancel post #${cancelled}` }).click();
    await page.getByText(`Post #${cancelled} is cancelled`).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'posts-1280.png') });
    const delivered = await bot.waitFor(
      (l) => 'delivery' in l && (l.delivery as { text: string }).text.includes('Coffee morning'),
      'the post delivered',
      at.getTime() - Date.now() + 45_000,
    );
    expect(delivered.delivery).toMatchObject({ chatId: 'local', kind: 'broadcast' });
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
    // Give the cancelled one every chance to show up, then check it never did.
    await new Promise((r) => setTimeout(r, 3_000));
    expect(deliveries(bot.lines).filter((d) => d.text.includes('called off'))).toEqual([]);
    await page.goto(`${base}/console/posts`);
    await expect(page.getByText('console chat: 1 sent').count()).resolves.toBe(1);
    await page.close();
  }, 120_000);
});

describe('serve counts', () => {
  it('a section served three times shows 3 on the content page and on the overview', async () => {
    const reader = { userId: 'reader', chatId: 'reader', name: 'Rae', moderator: false };
    await bot.say({ ...reader, text: '/section 6' });
    await bot.say({ ...reader, press: 'page:6' });
    await bot.say({ ...reader, text: '/section who is at risk' });
    // The contents is no section served.
    await bot.say({ ...reader, text: '/article' });
    const title = 'Who Is at Risk for Vitamin B12 Deficiency';
    const page = await moderator.newPage();
    // Counting runs beside the reply: give it a moment.
    await expect
      .poll(async () => {
        await page.goto(`${base}/console/content`);
        return figure(page, 'Article sections', title);
      })
      .toBe('3');
    await page.goto(`${base}/console/`);
    expect(await figure(page, 'Most read article sections: the numbers', title)).toBe('3');
    await page.close();
  });
});

describe('a group admin', () => {
  const g1Question = 'why does my b12 jab sting so much';
  const g2Question = 'can my b12 jab make my arm itch for days';
  const privateQuestion = 'should i keep my b12 tablets in the fridge';
  let ann: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    const inGroup = (chatId: string, userId: string, text: string, messageId: string) =>
      bot.say({ text, chatType: 'group', chatId, userId, moderator: false, addressed: true, messageId });
    await inGroup('g1', 'pat', g1Question, 'g1-m1');
    await inGroup('g2', 'quinn', g2Question, 'g2-m1');
    await inGroup('g1', 'pat', '/section 2', 'g1-m2');
    await inGroup('g1', 'pat', '/section 2', 'g1-m3');
    await inGroup('g2', 'quinn', '/section 5', 'g2-m2');
    await bot.say({ text: privateQuestion, userId: 'sam', chatId: 'sam', moderator: false });
    const asked = replyOf(
      await bot.say({
        text: '/console',
        chatType: 'group',
        chatId: 'g1',
        userId: 'ann',
        name: 'Ann',
        moderator: false,
        chatAdmin: true,
      }),
    );
    expect(asked.text).toContain('private message');
    expect(linkIn(asked.text)).toBeUndefined();
    const privately = await bot.waitFor(
      (l) => 'delivery' in l && (l.delivery as { chatId: string }).chatId === 'ann',
      'the link in Ann private chat',
    );
    ann = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await signIn(ann, linkIn((privately.delivery as { text: string }).text)!);
  }, 180_000);

  afterAll(async () => {
    await ann?.close();
  });

  it("sees their group's figures on the overview, not the community's", async () => {
    await expect(page.getByText('Signed in as Ann (admin of g1)').count()).resolves.toBe(1);
    await expect(page.getByText('Numbers for g1.').count()).resolves.toBe(1);
    // g1: one question answered with a fallback or choices, section 2 read twice; nothing else.
    const today = new Date().toISOString().slice(5, 10);
    const daily = page.getByRole('region', {
      name: /^Messages per day by outcome.*the numbers$/,
      includeHidden: true,
    });
    const cells = await daily.locator('tr', { hasText: today }).locator('td').allTextContents();
    expect(cells.reduce((n, c) => n + Number(c), 0)).toBe(1);
    // The community counts more (the moderators' own questions, g2's, private chats').
    const mod = await moderator.newPage();
    await mod.goto(`${base}/console/`);
    const all = await mod
      .getByRole('region', { name: /^Messages per day by outcome.*the numbers$/, includeHidden: true })
      .locator('tr', { hasText: today })
      .locator('td')
      .allTextContents();
    expect(all.reduce((n, c) => n + Number(c), 0)).toBeGreaterThan(3);
    await mod.close();
    await expect
      .poll(async () => {
        await page.goto(`${base}/console/`);
        return page
          .getByRole('region', { name: 'Most read article sections: the numbers', includeHidden: true })
          .locator('tbody tr')
          .allTextContents();
      })
      .toEqual(['Understanding Vitamin B12 and Its Role in the Body2']);
    // The community's numbers (subscribers, deliveries) are the moderators'.
    await expect(page.getByRole('heading', { name: 'Subscribed chats per platform' }).count()).resolves.toBe(
      0,
    );
    await expect(page.getByRole('heading', { name: 'Delivery of posts and tips' }).count()).resolves.toBe(0);
  });

  it("lists only their group's questions: no other group's, no private chat's", async () => {
    await page.goto(`${base}/console/review`);
    await expect(page.locator('article.question', { hasText: g1Question }).count()).resolves.toBe(1);
    await expect(page.getByText(g2Question).count()).resolves.toBe(0);
    await expect(page.getByText(privateQuestion).count()).resolves.toBe(0);
    await expect(page.getByRole('link', { name: 'Teach…' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: 'Not covered' }).count()).resolves.toBe(0);
    await page.goto(`${base}/console/`);
    const unanswered = await page.getByRole('region', { name: 'Not answered this week' }).textContent();
    expect(unanswered).toContain(g1Question);
    expect(unanswered).not.toContain(g2Question);
    expect(unanswered).not.toContain(privateQuestion);
  });

  it('has no posts, only their invite links, and the content read only with their counts', async () => {
    await expect(page.getByRole('link', { name: 'Posts' }).count()).resolves.toBe(0);
    expect((await page.goto(`${base}/console/posts`))?.status()).toBe(403);
    await page.goto(`${base}/console/invites`);
    expect(await page.getByRole('heading', { level: 2 }).allTextContents()).toEqual(['console group g1']);
    await page.goto(`${base}/console/content`);
    // Read only: the one form on the page is signing out.
    expect(await page.locator('form').evaluateAll((f) => f.map((x) => x.getAttribute('action')))).toEqual([
      '/console/signout',
    ]);
    expect(await figure(page, 'Article sections', 'Understanding Vitamin B12')).toBe('2');
    expect(await figure(page, 'Article sections', 'Who Is at Risk')).toBe('0');
    await page.goto(`${base}/console/audit`);
    expect(await page.locator('tbody tr').allTextContents()).not.toContainEqual(
      expect.stringMatching(/teach|Operator/),
    );
  });

  it("is refused every action on another group's item, even with a valid CSRF token", async () => {
    // The other group's question, as a moderator sees it.
    const mod = await moderator.newPage();
    await mod.goto(`${base}/console/review`);
    const g2Item = mod.locator('article.question', { hasText: g2Question });
    const g2Id = await g2Item.locator('input[name=id]').inputValue();
    await page.goto(`${base}/console/review`);
    const _csrf = await csrfOf(page);
    const attempts: [string, Record<string, string>][] = [
      ['/review/dismiss', { text: g2Question }],
      ['/review/reply', { id: g2Id, text: g2Question, answer: 'not yours' }],
      ['/review/teach', { text: g2Question, faq: TAUGHT_FAQ }],
      ['/review/teach-section', { text: g2Question, section: '7' }],
      ['/review/not-covered', { text: g2Question }],
      ['/posts', { at: '2030-01-01T10:00', text: 'x', audience: 'chat:console:g2', confirm: '1' }],
      ['/posts/1/edit', { at: '2030-01-01T10:00', text: 'x' }],
      ['/posts/1/cancel', {}],
      ['/invites', { chat: 'console:g2', name: 'x' }],
    ];
    const statuses: string[] = [];
    for (const [path_, form] of attempts) {
      const res = await page.request.post(`${base}/console${path_}`, {
        form: { ...form, _csrf },
        maxRedirects: 0,
      });
      statuses.push(`${path_} ${res.status()}`);
    }
    expect(statuses).toEqual(attempts.map(([p]) => `${p} 403`));
    // Nothing happened: the question still waits for the moderators, nothing reached g2.
    await mod.reload();
    await expect(mod.locator('article.question', { hasText: g2Question }).count()).resolves.toBe(1);
    expect(deliveries(bot.lines).filter((d) => d.chatId === 'g2')).toEqual([]);
    await mod.close();
  });

  it("answers their group's question through /reply: a reply to the member's message in g1, audited", async () => {
    await page.goto(`${base}/console/review`);
    const item = page.locator('article.question', { hasText: g1Question });
    await item.getByText(/^Reply in .*g1$/).click();
    await item.getByLabel(/Your answer/).fill('Ask the nurse to inject slowly & warm the vial <first>.');
    await item.getByRole('button', { name: 'Send reply' }).click();
    await page.getByText(/^Sent to .*g1 as a reply to the member's message/).waitFor();
    const delivered = await bot.waitFor(
      (l) => 'delivery' in l && (l.delivery as { chatId: string }).chatId === 'g1',
      'the answer in g1',
    );
    expect(delivered.delivery).toMatchObject({ chatId: 'g1', kind: 'moderator', replyTo: 'g1-m1' });
    expect((delivered.delivery as { text: string }).text).toContain(
      'Ask the nurse to inject slowly & warm the vial <first>.',
    );
    await page.goto(`${base}/console/audit`);
    const row = page.locator('tbody tr', { hasText: 'reply' }).first();
    expect(await row.textContent()).toContain('Ann [console:ann]');
    expect(await row.textContent()).toContain(g1Question);
  });
});

describe('replying', () => {
  it("a moderator's Reply goes through /reply to the member's own chat, as a reply to their message", async () => {
    const question = 'does b12 help with restless legs at night';
    await bot.say({ text: question, userId: 'lee', chatId: 'lee', moderator: false, messageId: 'lee-7' });
    const page = await moderator.newPage();
    await page.goto(`${base}/console/review`);
    const item = page.locator('article.question', { hasText: question });
    await item.getByText('Reply in a private chat (console)').click();
    await item.getByLabel(/Your answer/).fill('Not in the article; ask your GP about iron and B12.');
    await item.getByRole('button', { name: 'Send reply' }).click();
    await page.getByText(/^Sent to a private chat .*as a reply to the member's message/).waitFor();
    const delivered = await bot.waitFor(
      (l) => 'delivery' in l && (l.delivery as { chatId: string }).chatId === 'lee',
      'the answer in Lee private chat',
    );
    expect(delivered.delivery).toMatchObject({
      kind: 'moderator',
      replyTo: 'lee-7',
      text: expect.stringContaining('ask your GP about iron and B12'),
    });
    // The record says it was answered: /unanswered in the chat shows it, and it left the list.
    await expect(page.locator('article.question', { hasText: question }).count()).resolves.toBe(0);
    const listed = replyOf(await bot.say('/unanswered'));
    expect(listed.text).toMatch(/does b12 help with restless legs at night[^\n]*answered/i);
    await page.close();
  });
});

describe('every page', () => {
  beforeAll(async () => {
    // Something to review in the screenshots.
    for (const text of [
      'can i take b12 with my morning coffee',
      'can i take b12 with my morning coffee?',
      'do b12 patches work as well as jabs',
    ])
      await bot.say({ text, userId: 'member2', moderator: false });
  }, 120_000);

  const pages = [
    '/',
    '/review',
    `/review/teach?text=${encodeURIComponent(QUESTION)}`,
    '/posts',
    '/invites',
    '/content',
    '/audit',
  ];
  for (const width of [375, 1280]) {
    it(`fits ${width} px wide and has no serious accessibility violation`, async () => {
      const page = await moderator.newPage();
      await page.setViewportSize({ width, height: 900 });
      const problems: string[] = [];
      for (const p of pages) {
        const res = await page.goto(`${base}/console${p}`);
        expect(res?.status(), p).toBe(200);
        const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
        expect(typeof overflow).toBe('number');
        if ((overflow as number) > 1) problems.push(`${p}: ${overflow} px wider than the screen`);
        for (const v of await seriousViolations(page)) problems.push(`${p}: ${v}`);
        const name =
          p === '/'
            ? 'overview'
            : p
                .slice(1)
                .split(/[/?]/)
                .join('-')
                .replace(/-text$/, '');
        if (['overview', 'review', 'content'].includes(name) || (name === 'posts' && width === 375)) {
          await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`) });
        }
      }
      // The sign-in pages too (signed out).
      const visitor = await browser.newContext({ viewport: { width, height: 900 } });
      const login = await visitor.newPage();
      await login.goto(`${base}/console/login`);
      for (const v of await seriousViolations(login)) problems.push(`/login: ${v}`);
      await visitor.close();
      expect(problems).toEqual([]);
      await page.close();
    }, 400_000);
  }
});

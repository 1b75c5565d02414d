import { field, forbidden, type PageContext, type PageHandler, record } from '../context.js';
import { html } from '../html.js';
import { BASE, csrfField, page } from '../layout.js';
import type { ConsoleQuestion, TeachTarget } from '../ports.js';
import { wordingOf } from '../review-state.js';
import { allows } from '../rights.js';
import { seesChat, viewerChats } from '../viewer.js';

const DAY = 24 * 60 * 60 * 1000;
const OUTCOME_WORDS: Record<string, string> = {
  unsure: 'choices offered',
  unanswered: 'not answered',
  not_covered: 'not covered by the article',
  chatter: 'off topic',
};

interface Group {
  readonly wording: string;
  readonly latest: ConsoleQuestion;
  count: number;
  readonly chats: Set<string>;
}

/** The questions the viewer may see, similar wordings grouped, handled ones left out unless `all`. */
async function groups(ctx: PageContext, all: boolean): Promise<{ open: Group[]; handledCount: number }> {
  const chats = viewerChats(ctx.viewer);
  const list = await ctx.ports.questions.list({
    since: new Date(ctx.now().getTime() - 30 * DAY),
    limit: 200,
    ...(chats ? { chats, groupsOnly: true } : {}),
  });
  const visible = list.filter((q) => !q.chat || seesChat(ctx.viewer, q.chat));
  const byWording = new Map<string, Group>();
  for (const q of visible) {
    const wording = wordingOf(q.text);
    const g = byWording.get(wording);
    if (g) {
      g.count += q.count;
      if (q.chat) g.chats.add(q.chat.title ?? `${q.chat.platform}:${q.chat.chatId}`);
    } else {
      byWording.set(wording, {
        wording,
        latest: q,
        count: q.count,
        chats: new Set(q.chat ? [q.chat.title ?? `${q.chat.platform}:${q.chat.chatId}`] : []),
      });
    }
  }
  const handled = await ctx.review.handled([...byWording.keys()]);
  const open = [...byWording.values()].filter((g) => all || !handled.has(g.wording));
  return { open: open.sort((a, b) => b.count - a.count), handledCount: handled.size };
}

const chatWords = (q: ConsoleQuestion) =>
  q.chat
    ? q.chat.chatType === 'private'
      ? `a private chat (${q.chat.platform})`
      : (q.chat.title ?? `${q.chat.platform} group ${q.chat.chatId}`)
    : 'unknown chat';

const reviewPage: PageHandler = async (ctx) => {
  if (!allows(ctx.viewer, 'review')) return forbidden(ctx.res, 'reviewing questions');
  const all = ctx.req.query.all === '1';
  const { open, handledCount } = await groups(ctx, all);
  const moderator = allows(ctx.viewer, 'teach');
  const canReply = Boolean(ctx.ports.questions.reply) && allows(ctx.viewer, 'reply');
  const csrf = csrfField(ctx.session.csrf);
  const item = (g: Group, i: number) => {
    const q = g.latest;
    return html`<article class="question" aria-labelledby="q${i}">
<blockquote id="q${i}">${q.text}</blockquote>
<p class="meta">Asked ${g.count}× · last ${q.lastAsked.toISOString().slice(0, 16).replace('T', ' ')} UTC · in ${[...g.chats].join(', ') || chatWords(q)}${
      q.outcome ? html` · ${OUTCOME_WORDS[q.outcome] ?? q.outcome}` : ''
    }${q.pressed ? html` · the member picked “${q.pressed}”` : ''}${q.answered ? html` · answered by ${q.answered.by}` : ''}</p>
<div class="actions">
${
  moderator
    ? html`<a class="button" href="${BASE}/review/teach?text=${encodeURIComponent(q.text)}">Teach…</a>
<form method="post" action="${BASE}/review/not-covered">${csrf}<input type="hidden" name="text" value="${q.text}"><button type="submit" class="secondary">Not covered</button></form>`
    : ''
}
<form method="post" action="${BASE}/review/dismiss">${csrf}<input type="hidden" name="text" value="${q.text}"><button type="submit" class="secondary">Dismiss</button></form>
</div>
${
  canReply && q.chat
    ? html`<details><summary>Reply in ${chatWords(q)}</summary><form method="post" action="${BASE}/review/reply">${csrf}
<input type="hidden" name="id" value="${q.id}"><input type="hidden" name="text" value="${q.text}">
<label for="reply${i}">Your answer (sent as a reply to the member's message, as the moderators)</label>
<textarea id="reply${i}" name="answer" required maxlength="2000"></textarea>
<p><button type="submit">Send reply</button></p></form></details>`
    : ''
}</article>`;
  };
  const body = html`<p>Questions from the last 30 days that the bot did not answer outright, similar wordings together, most asked first.
${all ? html`<a href="${BASE}/review">Hide handled ones</a>` : handledCount ? html`<a href="${BASE}/review?all=1">Show handled ones too</a>` : ''}</p>
${open.length === 0 ? html`<p>Nothing to review.</p>` : open.map(item)}`;
  ctx.res.type('html').send(
    page({
      title: 'Questions to review',
      current: '/review',
      viewer: ctx.viewer,
      csrf: ctx.session.csrf,
      flash: ctx.flash,
      body,
    }),
  );
};

const teachForm: PageHandler = async (ctx) => {
  if (!allows(ctx.viewer, 'teach')) return forbidden(ctx.res, 'teaching the bot');
  const text = typeof ctx.req.query.text === 'string' ? ctx.req.query.text.slice(0, 500) : '';
  const content = ctx.ports.content.current().content;
  const csrf = csrfField(ctx.session.csrf);
  const body = html`<blockquote class="question">${text}</blockquote>
<form method="post" action="${BASE}/review/teach">${csrf}<input type="hidden" name="text" value="${text}">
<label for="faq">This question is answered by the FAQ entry</label>
<select id="faq" name="faq" required><option value="">Choose an entry…</option>${content.faq.map(
    (e) => html`<option value="${e.id}">${e.number}. ${e.question}</option>`,
  )}</select>
<p class="hint">The wording becomes one of the entry's paraphrases at once: the same question is answered outright from then on.</p>
<p><button type="submit">Teach the FAQ entry</button></p></form>
<form method="post" action="${BASE}/review/teach-section">${csrf}<input type="hidden" name="text" value="${text}">
<label for="section">Or it is answered by the article section</label>
<select id="section" name="section" required><option value="">Choose a section…</option>${content.sections.map(
    (s) => html`<option value="${s.number}">${s.number}. ${s.title}</option>`,
  )}</select>
<p class="hint">The same question is then answered outright with the section's passage that fits it best.</p>
<p><button type="submit">Teach the section</button></p></form>
<p class="hint">Export what was taught with <code>npm run content:export</code> to review and commit it.</p>
<p><a href="${BASE}/review">Back</a></p>`;
  ctx.res
    .type('html')
    .send(
      page({ title: 'Teach the bot', current: '/review', viewer: ctx.viewer, csrf: ctx.session.csrf, body }),
    );
};

/** What a form names (an FAQ id, a section number), checked against the content in use. */
type Chosen = { type: 'faq'; id: string } | { type: 'section'; number: string } | { type: 'not_covered' };

async function teach(ctx: PageContext, chosen: Chosen) {
  if (!allows(ctx.viewer, 'teach') || !ctx.ports.teach) return forbidden(ctx.res, 'teaching the bot');
  const text = field(ctx.req, 'text', 500);
  const content = ctx.ports.content.current().content;
  const entry = chosen.type === 'faq' ? content.faq.find((e) => e.id === chosen.id) : undefined;
  const section =
    chosen.type === 'section' && /^\d{1,4}$/.test(chosen.number)
      ? content.sections[Number(chosen.number) - 1]
      : undefined;
  if (!text || (chosen.type === 'faq' && !entry) || (chosen.type === 'section' && !section)) {
    await ctx.setFlash({
      text: `Choose a question and ${chosen.type === 'section' ? 'an article section' : 'an FAQ entry'}.`,
      error: true,
    });
    return ctx.res.redirect(303, `${BASE}/review`);
  }
  const target: TeachTarget = entry
    ? { type: 'faq', id: entry.id }
    : section
      ? { type: 'section', title: section.title }
      : { type: 'not_covered' };
  const result = await ctx.ports.teach.teach(text, target, ctx.viewer.id);
  if (!result.ok) {
    await ctx.setFlash({ text: `The content check refused it: ${result.problems.join('; ')}`, error: true });
    return ctx.res.redirect(303, `${BASE}/review`);
  }
  const what = entry
    ? `FAQ entry ${entry.number} (“${entry.question}”)`
    : section
      ? `article section ${section.number} (“${section.title}”)`
      : 'the topics the article does not cover';
  const action = target.type === 'not_covered' ? 'not-covered' : 'teach';
  await ctx.review.mark(text, { action, by: ctx.viewer.name, at: ctx.now().getTime(), detail: what });
  await record(ctx, action, `“${text}” → ${what}`);
  await ctx.setFlash({
    text: `Taught: “${text}” is now ${target.type === 'not_covered' ? 'one of' : 'answered with'} ${what}.`,
  });
  ctx.res.redirect(303, `${BASE}/review`);
}

const dismiss: PageHandler = async (ctx) => {
  if (!allows(ctx.viewer, 'dismiss')) return forbidden(ctx.res, 'dismissing questions');
  const text = field(ctx.req, 'text', 500);
  // A chat admin may dismiss only what they can see.
  const { open } = await groups(ctx, true);
  if (!open.some((g) => g.wording === wordingOf(text))) return forbidden(ctx.res, 'dismissing that question');
  await ctx.review.mark(text, { action: 'dismiss', by: ctx.viewer.name, at: ctx.now().getTime() });
  const chat = open.find((g) => g.wording === wordingOf(text))?.latest.chat;
  await record(ctx, 'dismiss', `“${text}”`, chat);
  await ctx.setFlash({ text: `Dismissed: “${text}”.` });
  ctx.res.redirect(303, `${BASE}/review`);
};

const reply: PageHandler = async (ctx) => {
  const reply = ctx.ports.questions.reply;
  if (!reply || !allows(ctx.viewer, 'reply')) return forbidden(ctx.res, 'replying to members');
  const id = field(ctx.req, 'id', 40);
  const answer = field(ctx.req, 'answer', 2_000);
  const { open } = await groups(ctx, true);
  const q = open.map((g) => g.latest).find((x) => x.id === id);
  if (!q?.chat || !seesChat(ctx.viewer, q.chat)) return forbidden(ctx.res, 'replying to that question');
  if (!answer) {
    await ctx.setFlash({ text: 'Write an answer first.', error: true });
    return ctx.res.redirect(303, `${BASE}/review`);
  }
  const result = await reply(ctx.viewer, q, answer);
  if (result.ok) {
    await ctx.review.mark(q.text, {
      action: 'reply',
      by: ctx.viewer.name,
      at: ctx.now().getTime(),
      detail: answer,
    });
    await record(ctx, 'reply', `to “${q.text}”: “${answer}”`, q.chat);
  }
  await ctx.setFlash({ text: result.text, error: !result.ok });
  ctx.res.redirect(303, `${BASE}/review`);
};

export const reviewPages = [
  ['get', '/review', reviewPage],
  ['get', '/review/teach', teachForm],
  [
    'post',
    '/review/teach',
    (ctx: PageContext) => teach(ctx, { type: 'faq', id: field(ctx.req, 'faq', 100) }),
  ],
  [
    'post',
    '/review/teach-section',
    (ctx: PageContext) => teach(ctx, { type: 'section', number: field(ctx.req, 'section', 10) }),
  ],
  ['post', '/review/not-covered', (ctx: PageContext) => teach(ctx, { type: 'not_covered' })],
  ['post', '/review/dismiss', dismiss],
  ['post', '/review/reply', reply],
] as const;

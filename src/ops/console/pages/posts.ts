import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { simple } from '../../../core/replies.js';
import type { Platform } from '../../../core/types.js';
import { field, forbidden, type PageContext, type PageHandler, record } from '../context.js';
import { html, type SafeHtml, trusted } from '../html.js';
import { BASE, csrfField, page } from '../layout.js';
import type { PostAudience, PostsPort } from '../ports.js';
import { allows } from '../rights.js';

const PLATFORM_NAMES: Record<Platform, string> = {
  telegram: 'Telegram',
  whatsapp: 'WhatsApp',
  console: 'console chat',
};
const PLATFORMS: readonly Platform[] = ['telegram', 'whatsapp', 'console'];
const MAX_TEXT = 3_500;

const audienceWords = (a: PostAudience | undefined) =>
  !a || a.type === 'all'
    ? 'all subscribers'
    : a.type === 'platform'
      ? `subscribers on ${PLATFORM_NAMES[a.platform]}`
      : `one chat (${PLATFORM_NAMES[a.platform]} ${a.chatId})`;

/** `all`, `platform:telegram`, `chat:telegram:-100123` (chat ids may hold colons). */
function parseAudience(value: string): PostAudience | undefined {
  if (value === 'all') return { type: 'all' };
  const [kind, platform, ...rest] = value.split(':');
  if (!PLATFORMS.includes(platform as Platform)) return undefined;
  if (kind === 'platform' && rest.length === 0) return { type: 'platform', platform: platform as Platform };
  if (kind === 'chat' && rest.length > 0)
    return { type: 'chat', platform: platform as Platform, chatId: rest.join(':') };
  return undefined;
}

/** Telegram's HTML as a browser shows it: everything escaped, then only the tags Telegram's formatter writes. */
const telegramPreview = (markup: string): SafeHtml =>
  trusted(
    markup
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/&lt;(\/?)(b|i|code)&gt;/g, '<$1$2>'),
  );

interface Draft {
  /** Names this form: submitting it twice schedules one post. */
  request: string;
  when: string;
  text: string;
  audience: string;
}

function createForm(
  ctx: PageContext,
  tz: string,
  chats: { platform: Platform; chatId: string; chatType: string }[],
  draft: Draft,
): SafeHtml {
  const option = (value: string, label: string) =>
    html`<option value="${value}"${draft.audience === value ? ' selected' : ''}>${label}</option>`;
  return html`<form method="post" action="${BASE}/posts" aria-labelledby="create-h">${csrfField(ctx.session.csrf)}
<input type="hidden" name="request" value="${draft.request}">
<h2 id="create-h">Create a post</h2>
<div class="row"><div><label for="when">When (${tz} time)</label>
<input id="when" name="when" type="datetime-local" required value="${draft.when}" aria-describedby="when-hint">
<p class="hint" id="when-hint">In the community's time zone, ${tz}.</p></div>
<div><label for="audience">Who gets it</label><select id="audience" name="audience">
${option('all', 'All subscribed chats')}
${PLATFORMS.map((p) => option(`platform:${p}`, `Everyone on ${PLATFORM_NAMES[p]}`))}
${chats.map((c) => option(`chat:${c.platform}:${c.chatId}`, `One chat: ${PLATFORM_NAMES[c.platform as Platform]} ${c.chatType} ${c.chatId}`))}
</select></div></div>
<label for="text">Text</label><textarea id="text" name="text" required maxlength="${MAX_TEXT}">${draft.text}</textarea>
<div class="actions"><button type="submit" name="intent" value="preview" class="secondary">Preview</button>
<button type="submit" name="intent" value="schedule">Schedule</button></div></form>`;
}

/** Five weeks from this week's Monday, with posts and tips on their days (community time). */
function calendar(
  tz: string,
  now: Date,
  items: { at: Date; label: string; kind: 'post' | 'tip' }[],
): SafeHtml {
  const start = DateTime.fromJSDate(now, { zone: tz }).startOf('week');
  const today = DateTime.fromJSDate(now, { zone: tz }).toISODate();
  const days = Array.from({ length: 35 }, (_, i) => start.plus({ days: i }));
  const byDay = new Map<string, typeof items>();
  for (const it of items) {
    const d = DateTime.fromJSDate(it.at, { zone: tz }).toISODate()!;
    byDay.set(d, [...(byDay.get(d) ?? []), it]);
  }
  const weeks = Array.from({ length: 5 }, (_, w) => days.slice(w * 7, w * 7 + 7));
  return html`<div class="table-wrap" role="region" aria-label="Calendar of the next five weeks" tabindex="0"><table class="cal">
<thead><tr>${['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].map((d) => html`<th scope="col">${d}</th>`)}</tr></thead>
<tbody>${weeks.map(
    (week) =>
      html`<tr>${week.map((d) => {
        const iso = d.toISODate()!;
        const list = byDay.get(iso) ?? [];
        return html`<td class="${iso < today! ? 'out' : ''}"><strong>${d.toFormat('d LLL')}</strong>${
          list.length
            ? html`<ul>${list.map((it) => html`<li class="${it.kind}">${DateTime.fromJSDate(it.at, { zone: tz }).toFormat('HH:mm')} ${it.label}</li>`)}</ul>`
            : ''
        }</td>`;
      })}</tr>`,
  )}</tbody></table></div>`;
}

async function render(ctx: PageContext, posts: PostsPort, draft: Draft, preview?: SafeHtml) {
  const tz = posts.timeZone;
  const now = ctx.now();
  const [pending, past, tips, chats] = await Promise.all([
    posts.pending(),
    posts.past(20),
    posts.tips(DateTime.fromJSDate(now).plus({ days: 36 }).toJSDate()),
    posts.chats(200),
  ]);
  const fmt = (d: Date) => DateTime.fromJSDate(d, { zone: tz }).toFormat('ccc d LLL yyyy, HH:mm');
  const csrf = csrfField(ctx.session.csrf);
  const items = [
    ...pending.map((p) => ({ at: p.at, label: `#${p.id} ${p.text.slice(0, 30)}`, kind: 'post' as const })),
    ...tips.runs.map((at, i) => ({
      at,
      label: i === 0 && tips.nextTip ? `tip: ${tips.nextTip.id}` : 'tip',
      kind: 'tip' as const,
    })),
  ];
  const pendingList = pending.length
    ? pending.map(
        (
          p,
        ) => html`<article class="question" aria-labelledby="p${p.id}"><h3 id="p${p.id}">Post #${p.id} · ${fmt(p.at)}${p.every ? ' (weekly)' : ''}</h3>
<p class="preview">${p.text}</p><p class="meta">To ${audienceWords(p.audience)}${p.by ? html` · by ${p.by}` : ''}</p>
<div class="actions">${
          p.every
            ? ''
            : html`<details><summary>Edit</summary><form method="post" action="${BASE}/posts/${p.id}/edit">${csrf}
<label for="when${p.id}">When (${tz} time)</label><input id="when${p.id}" name="when" type="datetime-local" required value="${DateTime.fromJSDate(p.at, { zone: tz }).toFormat("yyyy-LL-dd'T'HH:mm")}">
<label for="text${p.id}">Text</label><textarea id="text${p.id}" name="text" required maxlength="${MAX_TEXT}">${p.text}</textarea>
<p><button type="submit">Save</button></p></form></details>`
        }
<form method="post" action="${BASE}/posts/${p.id}/cancel">${csrf}<button type="submit" class="danger">Cancel post #${p.id}</button></form></div></article>`,
      )
    : html`<p>No post is waiting.</p>`;
  const progress = (p: (typeof past)[number]) => {
    const rows = Object.entries(p.progress);
    if (rows.length === 0) return html`<p class="meta">No chat was subscribed when it went out.</p>`;
    return html`<ul>${rows.map(
      ([platform, g]) =>
        html`<li>${PLATFORM_NAMES[platform as Platform]}: ${g.sent} sent${g.waiting ? html`, ${g.waiting} waiting` : ''}${
          g.failed
            ? html`, <span class="bad">${g.failed} failed</span>: ${g.failures.map((f) => `${f.count} because ${f.reason}`).join('; ')}`
            : ''
        }</li>`,
    )}</ul>`;
  };
  const body = html`${preview ?? ''}
<section aria-labelledby="cal-h"><h2 id="cal-h">Calendar</h2>
<p>${tips.runs[0] ? html`Next community tip: <strong>${fmt(tips.runs[0])}</strong>${tips.nextTip ? html` — “${tips.nextTip.text.slice(0, 140)}”` : ''}.` : 'Community tips are off.'}</p>
${calendar(tz, now, items)}</section>
${createForm(ctx, tz, chats as never, draft)}
<section aria-labelledby="pending-h"><h2 id="pending-h">Waiting to go out</h2>${pendingList}</section>
<section aria-labelledby="past-h"><h2 id="past-h">Sent</h2>${
    past.length
      ? past.map(
          (p) =>
            html`<article class="question"><h3>Post #${p.id} · ${fmt(p.at)}</h3><p class="preview">${p.text}</p><p class="meta">To ${audienceWords(p.audience)}</p>${progress(p)}</article>`,
        )
      : html`<p>Nothing sent in the last 7 days.</p>`
  }</section>`;
  ctx.res.type('html').send(
    page({
      title: 'Posts',
      current: '/posts',
      viewer: ctx.viewer,
      csrf: ctx.session.csrf,
      flash: ctx.flash,
      body,
    }),
  );
}

const defaultDraft = (tz: string, now: Date): Draft => ({
  when: DateTime.fromJSDate(now, { zone: tz })
    .plus({ hours: 1 })
    .startOf('hour')
    .toFormat("yyyy-LL-dd'T'HH:mm"),
  text: '',
  audience: 'all',
  request: randomBytes(12).toString('base64url'),
});

const postsPage: PageHandler = async (ctx) => {
  const posts = ctx.ports.posts;
  if (!posts || !allows(ctx.viewer, 'posts')) return forbidden(ctx.res, 'planning posts');
  await render(ctx, posts, defaultDraft(posts.timeZone, ctx.now()));
};

const parseWhen = (value: string, tz: string): Date | undefined => {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value)) return undefined;
  const dt = DateTime.fromISO(value, { zone: tz });
  return dt.isValid ? dt.toJSDate() : undefined;
};

const createPost: PageHandler = async (ctx) => {
  const posts = ctx.ports.posts;
  if (!posts || !allows(ctx.viewer, 'posts')) return forbidden(ctx.res, 'planning posts');
  const request = field(ctx.req, 'request', 40);
  const draft: Draft = {
    request: /^[A-Za-z0-9_-]{16}$/.test(request) ? request : randomBytes(12).toString('base64url'),
    when: field(ctx.req, 'when', 20),
    text: field(ctx.req, 'text', MAX_TEXT),
    audience: field(ctx.req, 'audience', 200),
  };
  const at = parseWhen(draft.when, posts.timeZone);
  const audience = parseAudience(draft.audience);
  const problem = !draft.text
    ? 'Write the text of the post.'
    : !at
      ? 'Choose a date and time.'
      : at.getTime() < ctx.now().getTime() - 60_000
        ? 'That time has passed: choose a time in the future.'
        : !audience
          ? 'Choose who gets the post.'
          : undefined;
  if (ctx.req.body?.intent === 'preview' || problem) {
    const reply = simple('broadcast', draft.text || '(no text yet)');
    const previews = Object.entries(ctx.ports.previews).map(
      ([platform, format]) =>
        html`<div class="card"><h3>${PLATFORM_NAMES[platform as Platform]}</h3><div class="preview">${
          platform === 'telegram' ? telegramPreview(format(reply)) : format(reply)
        }</div></div>`,
    );
    const shown = html`${problem && ctx.req.body?.intent !== 'preview' ? html`<p class="flash error" role="alert">${problem}</p>` : ''}
${ctx.req.body?.intent === 'preview' ? html`<section aria-labelledby="preview-h"><h2 id="preview-h">Preview</h2><div class="grid">${previews}</div></section>` : ''}`;
    return render(ctx, posts, draft, shown);
  }
  const id = await posts.schedule(at!, draft.text, audience!, ctx.viewer.name, draft.request);
  await record(
    ctx,
    'post',
    `#${id} for ${at!.toISOString()} to ${audienceWords(audience)}: “${draft.text.slice(0, 200)}”`,
  );
  await ctx.setFlash({ text: `Post #${id} is scheduled.` });
  ctx.res.redirect(303, `${BASE}/posts`);
};

const postId = (ctx: PageContext) =>
  Number(/^\d{1,9}$/.test(String(ctx.req.params.id)) ? ctx.req.params.id : NaN);

const editPost: PageHandler = async (ctx) => {
  const posts = ctx.ports.posts;
  if (!posts || !allows(ctx.viewer, 'posts')) return forbidden(ctx.res, 'planning posts');
  const id = postId(ctx);
  const at = parseWhen(field(ctx.req, 'when', 20), posts.timeZone);
  const text = field(ctx.req, 'text', MAX_TEXT);
  const ok = Number.isFinite(id) && at && text ? await posts.edit(id, at, text) : false;
  if (ok) await record(ctx, 'post-edit', `#${id} now ${at!.toISOString()}: “${text.slice(0, 200)}”`);
  await ctx.setFlash(
    ok
      ? { text: `Post #${id} is changed.` }
      : {
          text: `Post #${id} could not be changed: it is no longer waiting, or the time or text is missing.`,
          error: true,
        },
  );
  ctx.res.redirect(303, `${BASE}/posts`);
};

const cancelPost: PageHandler = async (ctx) => {
  const posts = ctx.ports.posts;
  if (!posts || !allows(ctx.viewer, 'posts')) return forbidden(ctx.res, 'planning posts');
  const id = postId(ctx);
  const ok = Number.isFinite(id) && (await posts.cancel(id));
  if (ok) await record(ctx, 'post-cancel', `#${id}`);
  await ctx.setFlash(
    ok
      ? { text: `Post #${id} is cancelled: it will not be sent.` }
      : { text: `There is no waiting post #${id}.`, error: true },
  );
  ctx.res.redirect(303, `${BASE}/posts`);
};

export const postsPages = [
  ['get', '/posts', postsPage],
  ['post', '/posts', createPost],
  ['post', '/posts/:id/edit', editPost],
  ['post', '/posts/:id/cancel', cancelPost],
] as const;

import type { PageContext } from '../context.js';
import { html, jsonData, type SafeHtml } from '../html.js';
import { BASE, page } from '../layout.js';
import { wordingOf } from '../review-state.js';
import { allows } from '../rights.js';
import { viewerChats } from '../viewer.js';

const DAY = 24 * 60 * 60 * 1000;
const RANGES = [7, 30, 90] as const;

/** The outcomes a moderator reads, from the router's answer kinds. */
const OUTCOMES: { label: string; kinds: string[]; color: string }[] = [
  { label: 'Answered', kinds: ['faq', 'section'], color: '#1d6b35' },
  { label: 'Choices offered', kinds: ['suggestions'], color: '#0b57a4' },
  { label: 'Not covered', kinds: ['fallback'], color: '#8a8a8a' },
  { label: 'Emergency', kinds: ['safety'], color: '#a4161a' },
  { label: 'Caution', kinds: ['caution'], color: '#e08e0b' },
];

interface Chart {
  type: 'bar' | 'doughnut';
  labels: string[];
  series: { label: string; data: number[]; color?: string }[];
  stacked?: boolean;
  horizontal?: boolean;
}

/** A chart with its numbers as a table: the table is what screen readers and script-less browsers get. */
function chartCard(id: string, title: string, chart: Chart, empty: string): SafeHtml {
  const total = chart.series.reduce((n, s) => n + s.data.reduce((a, b) => a + b, 0), 0);
  if (total === 0)
    return html`<section class="card" aria-labelledby="${id}-h"><h2 id="${id}-h">${title}</h2><p>${empty}</p></section>`;
  return html`<section class="card" aria-labelledby="${id}-h"><h2 id="${id}-h">${title}</h2>
<div class="chart-box"><canvas id="${id}" role="img" aria-label="${title}: chart of the numbers in the table below"></canvas></div>
<details><summary>The numbers</summary><div class="table-wrap" role="region" aria-label="${title}: the numbers" tabindex="0"><table>
<thead><tr><th scope="col">${chart.horizontal ? '' : 'Day'}</th>${chart.series.map((s) => html`<th scope="col" class="num">${s.label}</th>`)}</tr></thead>
<tbody>${chart.labels.map(
    (label, i) =>
      html`<tr><th scope="row">${label}</th>${chart.series.map((s) => html`<td class="num">${s.data[i] ?? 0}</td>`)}</tr>`,
  )}</tbody></table></div></details></section>`;
}

export async function overviewPage(ctx: PageContext): Promise<void> {
  if (!allows(ctx.viewer, 'overview')) return void ctx.res.status(403).send('not allowed');
  const days = RANGES.find((d) => String(d) === ctx.req.query.days) ?? 7;
  const now = ctx.now();
  const since = new Date(now.getTime() - (days - 1) * DAY);
  const chat = ctx.viewer.role === 'moderator' ? undefined : ctx.viewer.chat;
  const { numbers, questions } = ctx.ports;
  const content = ctx.ports.content.current().content;
  const everyone = allows(ctx.viewer, 'overview.all');

  const [daily, topFaq, topSections, joins, subscribers, deliveries, unanswered] = await Promise.all([
    numbers.daily(since, chat as never),
    numbers.topFaq(since, 8, chat as never),
    numbers.topSections ? numbers.topSections(since, 8, chat as never) : Promise.resolve([]),
    numbers.joins(chat as never),
    everyone ? numbers.subscribers() : Promise.resolve({}),
    everyone ? numbers.deliveries() : Promise.resolve({ sent: 0, failed: 0, waiting: 0 }),
    questions.list({
      since: new Date(now.getTime() - 7 * DAY),
      limit: 10,
      ...(viewerChats(ctx.viewer) ? { chats: viewerChats(ctx.viewer)!, groupsOnly: true } : {}),
    }),
  ]);

  const handled = await ctx.review.handled(unanswered.map((q) => q.text));
  const open = unanswered.filter((q) => !handled.has(wordingOf(q.text)));
  const charts: Record<string, Chart> = {
    'chart-daily': {
      type: 'bar',
      stacked: true,
      labels: daily.map((d) => d.day.slice(5)),
      series: OUTCOMES.map((o) => ({
        label: o.label,
        color: o.color,
        data: daily.map((d) => o.kinds.reduce((n, k) => n + (d.counts[k] ?? 0), 0)),
      })),
    },
    'chart-faq': {
      type: 'bar',
      horizontal: true,
      labels: topFaq.map((f) => content.faq.find((e) => e.id === f.faqId)?.question.slice(0, 50) ?? f.faqId),
      series: [{ label: 'Times served', data: topFaq.map((f) => f.count) }],
    },
    'chart-sections': {
      type: 'bar',
      horizontal: true,
      labels: topSections.map(
        (s) => content.sections[s.section - 1]?.title.slice(0, 50) ?? `Section ${s.section}`,
      ),
      series: [{ label: 'Times served', data: topSections.map((s) => s.count) }],
    },
    'chart-joins': {
      type: 'bar',
      horizontal: true,
      labels: joins.slice(0, 10).map((j) => (chat ? j.link : `${j.link} (${j.chat})`)),
      series: [{ label: 'Joins', data: joins.slice(0, 10).map((j) => j.count) }],
    },
    'chart-subscribers': {
      type: 'doughnut',
      horizontal: true,
      labels: Object.keys(subscribers),
      series: [
        {
          label: 'Subscribed chats',
          data: Object.values(subscribers as Record<string, number | undefined>).map((n) => n ?? 0),
        },
      ],
    },
    'chart-deliveries': {
      type: 'doughnut',
      horizontal: true,
      labels: ['Sent', 'Failed', 'Waiting'],
      series: [{ label: 'Deliveries', data: [deliveries.sent, deliveries.failed, deliveries.waiting] }],
    },
  };

  const body = html`<p>${chat ? html`Numbers for <strong>${chat.title ?? chat.chatId}</strong>. ` : ''}Show the last
${RANGES.map((d, i) => html`${i ? ', ' : ''}${d === days ? html`<strong>${d} days</strong>` : html`<a href="${BASE}/?days=${d}">${d} days</a>`}`)}.</p>
<div class="grid">
${chartCard('chart-daily', `Messages per day by outcome (last ${days} days)`, charts['chart-daily']!, 'No messages in this period.')}
<section class="card" aria-labelledby="unanswered-h"><h2 id="unanswered-h">Not answered this week</h2>
${
  open.length === 0
    ? html`<p>Nothing waiting: every question this week was answered or handled.</p>`
    : html`<ol>${open.map((q) => html`<li>${q.text} <span class="meta">(${q.count}×)</span></li>`)}</ol>
<p><a href="${BASE}/review">Review them</a></p>`
}</section>
${chartCard('chart-faq', 'Most asked FAQ entries', charts['chart-faq']!, 'No FAQ answers in this period.')}
${numbers.topSections ? chartCard('chart-sections', 'Most read article sections', charts['chart-sections']!, 'No article section served in this period.') : ''}
${chartCard('chart-joins', 'Joins per invite link', charts['chart-joins']!, 'No joins counted yet.')}
${everyone ? chartCard('chart-subscribers', 'Subscribed chats per platform', charts['chart-subscribers']!, 'No chat is subscribed to posts.') : ''}
${everyone ? chartCard('chart-deliveries', 'Delivery of posts and tips', charts['chart-deliveries']!, 'No deliveries kept in the queue.') : ''}
</div>
<script type="application/json" id="chart-data">${jsonData(charts)}</script>`;
  ctx.res.type('html').send(
    page({
      title: 'Overview',
      current: '/',
      viewer: ctx.viewer,
      csrf: ctx.session.csrf,
      flash: ctx.flash,
      body,
      charts: true,
    }),
  );
}

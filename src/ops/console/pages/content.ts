import { forbidden, type PageHandler } from '../context.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { allows } from '../rights.js';

const DAY = 24 * 60 * 60 * 1000;

/** The FAQ and the article, read only, with how often each was served in 90 days, and the content check's status. */
export const contentPage: PageHandler = async (ctx) => {
  if (!allows(ctx.viewer, 'content')) return forbidden(ctx.res, 'reading the content');
  const { content } = ctx.ports.content.current();
  const status = ctx.ports.content.status();
  const since = new Date(ctx.now().getTime() - 90 * DAY);
  const chat = ctx.viewer.role === 'moderator' ? undefined : ctx.viewer.chat;
  const [faqCounts, sectionCounts] = await Promise.all([
    ctx.ports.numbers.topFaq(since, 1_000, chat as never),
    ctx.ports.numbers.topSections
      ? ctx.ports.numbers.topSections(since, 1_000, chat as never)
      : Promise.resolve(undefined),
  ]);
  const served = new Map(faqCounts.map((f) => [f.faqId, f.count]));
  const sectionServed = new Map((sectionCounts ?? []).map((s) => [s.section, s.count]));
  const body = html`<section aria-labelledby="status-h"><h2 id="status-h">Content check</h2>
<p class="${status.ok ? 'ok' : 'bad'}"><strong>${status.ok ? 'In use and valid' : 'The last edit was refused; the bot still uses the content before it'}</strong>${
    status.at ? html` (checked ${status.at.toISOString().slice(0, 16).replace('T', ' ')} UTC)` : ''
  }</p><pre class="preview">${status.lines.join('\n')}</pre></section>
<section aria-labelledby="faq-h"><h2 id="faq-h">FAQ (${content.faq.length} entries)</h2>
<div class="table-wrap" role="region" aria-label="FAQ entries" tabindex="0"><table><thead><tr><th scope="col">#</th><th scope="col">Question and answer</th><th scope="col" class="num">Served (90 days)</th></tr></thead><tbody>
${content.faq.map((e) => html`<tr><td>${e.number}</td><td><details><summary>${e.question}</summary><p>${e.answer}</p><p class="meta">${e.paraphrases.length} other wordings · id ${e.id}</p></details></td><td class="num">${served.get(e.id) ?? 0}</td></tr>`)}
</tbody></table></div></section>
<section aria-labelledby="art-h"><h2 id="art-h">${content.title}</h2>
<div class="table-wrap" role="region" aria-label="Article sections" tabindex="0"><table><thead><tr><th scope="col">#</th><th scope="col">Section</th>${sectionCounts ? html`<th scope="col" class="num">Served (90 days)</th>` : ''}</tr></thead><tbody>
${content.sections.map((s) => html`<tr><td>${s.number}</td><td><details><summary>${s.title}</summary>${s.texts.map((t) => html`<p>${t}</p>`)}</details></td>${sectionCounts ? html`<td class="num">${sectionServed.get(s.number) ?? 0}</td>` : ''}</tr>`)}
</tbody></table></div></section>`;
  ctx.res.type('html').send(
    page({
      title: 'Content',
      current: '/content',
      viewer: ctx.viewer,
      csrf: ctx.session.csrf,
      flash: ctx.flash,
      body,
    }),
  );
};

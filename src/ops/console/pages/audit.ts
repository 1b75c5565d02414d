import { forbidden, type PageHandler } from '../context.js';
import { html } from '../html.js';
import { page } from '../layout.js';
import { allows } from '../rights.js';
import { viewerChats } from '../viewer.js';

/** Who did what, when: newest first (a chat admin sees the entries about their group). */
export const auditPage: PageHandler = async (ctx) => {
  if (!allows(ctx.viewer, 'audit')) return forbidden(ctx.res, 'the audit log');
  const entries = await ctx.audit.list(200, viewerChats(ctx.viewer));
  const body = html`${
    entries.length === 0
      ? html`<p>Nothing recorded yet.</p>`
      : html`<div class="table-wrap" role="region" aria-label="Audit log entries" tabindex="0"><table><thead><tr><th scope="col">When (UTC)</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">Details</th></tr></thead><tbody>
${entries.map((e) => html`<tr><td>${e.at.toISOString().slice(0, 19).replace('T', ' ')}</td><td>${e.who}</td><td>${e.action}</td><td>${e.detail}</td></tr>`)}
</tbody></table></div>`
  }`;
  ctx.res.type('html').send(
    page({
      title: 'Audit log',
      current: '/audit',
      viewer: ctx.viewer,
      csrf: ctx.session.csrf,
      flash: ctx.flash,
      body,
    }),
  );
};

import { html, type SafeHtml } from './html.js';
import { describeViewer, type Viewer } from './viewer.js';

export const BASE = '/console';

/** The console's pages, in menu order; `moderator` pages are hidden from chat admins. */
export const PAGES = [
  { path: '/', label: 'Overview', moderator: false },
  { path: '/review', label: 'Questions', moderator: false },
  { path: '/posts', label: 'Posts', moderator: true },
  { path: '/invites', label: 'Invite links', moderator: false },
  { path: '/content', label: 'Content', moderator: false },
  { path: '/audit', label: 'Audit log', moderator: false },
] as const;

export interface Flash {
  readonly text: string;
  readonly error?: boolean;
}

export interface PageOptions {
  readonly title: string;
  readonly current?: string;
  readonly viewer?: Viewer;
  readonly csrf?: string;
  readonly flash?: Flash;
  readonly body: SafeHtml;
  /** Adds Chart.js and the console's script (pages with charts). */
  readonly charts?: boolean;
}

/** A hidden field with the session's CSRF token: every form posts it. */
export const csrfField = (csrf: string | undefined) =>
  html`<input type="hidden" name="_csrf" value="${csrf ?? ''}">`;

export function page(o: PageOptions): string {
  const nav = o.viewer
    ? html`<nav aria-label="Console"><ul>${PAGES.filter(
        (p) => !p.moderator || o.viewer?.role === 'moderator',
      ).map(
        (p) =>
          html`<li><a href="${BASE}${p.path === '/' ? '/' : p.path}"${
            o.current === p.path ? html` aria-current="page"` : ''
          }>${p.label}</a></li>`,
      )}</ul></nav>
      <form method="post" action="${BASE}/signout">${csrfField(o.csrf)}<button type="submit">Sign out</button></form>`
    : '';
  const doc = html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · Moderators' console</title>
<link rel="stylesheet" href="${BASE}/static/console.css">
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header><a class="brand" href="${BASE}/">Moderators' console</a>${nav}</header>
<main id="main">
<h1>${o.title}</h1>
${o.viewer ? html`<p class="who">Signed in as ${describeViewer(o.viewer)}</p>` : ''}
${o.flash ? html`<p class="flash${o.flash.error ? ' error' : ''}" role="status">${o.flash.text}</p>` : ''}
${o.body}
</main>
${o.charts ? html`<script src="${BASE}/static/chart.umd.min.js"></script><script src="${BASE}/static/console.js"></script>` : ''}
</body>
</html>`;
  return doc.value;
}

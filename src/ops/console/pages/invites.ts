import type { ChatRef } from '../../../core/types.js';
import { field, forbidden, type PageHandler, record } from '../context.js';
import { html } from '../html.js';
import { BASE, csrfField, page } from '../layout.js';
import { allows } from '../rights.js';
import { chatKey, seesChat } from '../viewer.js';

const groupName = (c: ChatRef) => c.title ?? `${c.platform} group ${c.chatId}`;

const invitesPage: PageHandler = async (ctx) => {
  const invites = ctx.ports.invites;
  if (!invites || !allows(ctx.viewer, 'invites')) return forbidden(ctx.res, 'invite links');
  const groups = (await invites.groups(ctx.viewer)).filter((g) => seesChat(ctx.viewer, g));
  const csrf = csrfField(ctx.session.csrf);
  const sections = await Promise.all(
    groups.map(async (g, i) => {
      const [links, joins] = await Promise.all([invites.list(g), ctx.ports.numbers.joins(g)]);
      const joined = (name: string) => joins.find((j) => j.link === name)?.count ?? 0;
      return html`<section class="card" aria-labelledby="g${i}"><h2 id="g${i}">${groupName(g)}</h2>
${
  links.length
    ? html`<div class="table-wrap" role="region" aria-label="Invite links of ${groupName(g)}" tabindex="0"><table><thead><tr><th scope="col">Link</th><th scope="col" class="num">Joined</th><th scope="col">Terms</th></tr></thead><tbody>
${links.map(
  (l) =>
    html`<tr><td><strong>${l.name}</strong><br><a href="${l.url}">${l.url}</a></td><td class="num">${joined(l.name)}</td><td>${[
      l.expiresAt ? `expires ${l.expiresAt.toISOString().slice(0, 10)}` : 'no expiry',
      l.memberLimit ? `up to ${l.memberLimit} people` : '',
      l.approval ? 'needs approval' : '',
    ]
      .filter(Boolean)
      .join(', ')}</td></tr>`,
)}</tbody></table></div>`
    : html`<p>No invite link made by the bot yet.</p>`
}
<form method="post" action="${BASE}/invites">${csrf}<input type="hidden" name="chat" value="${chatKey(g)}">
<div class="row"><div><label for="name${i}">New link's name</label><input id="name${i}" name="name" required maxlength="32" pattern="[A-Za-z0-9_-]{1,32}" aria-describedby="hint${i}"></div>
<div><label for="days${i}">Expires after (days, empty: never)</label><input id="days${i}" name="days" inputmode="numeric" pattern="[0-9]{0,3}"></div>
<div><label for="limit${i}">At most (people, empty: no limit)</label><input id="limit${i}" name="limit" inputmode="numeric" pattern="[0-9]{0,5}"></div></div>
<p class="hint" id="hint${i}">Letters, digits, - and _. Joins through the link are counted under its name.</p>
<label><input type="checkbox" name="approval" value="1"> People who use it ask to join (admins approve)</label>
<p><button type="submit">Create link</button></p></form></section>`;
    }),
  );
  const body = html`${groups.length === 0 ? html`<p>No group to make links for yet: add the bot to a group as an admin.</p>` : ''}<div class="grid">${sections}</div>`;
  ctx.res.type('html').send(
    page({
      title: 'Invite links',
      current: '/invites',
      viewer: ctx.viewer,
      csrf: ctx.session.csrf,
      flash: ctx.flash,
      body,
    }),
  );
};

const createInvite: PageHandler = async (ctx) => {
  const invites = ctx.ports.invites;
  if (!invites || !allows(ctx.viewer, 'invites')) return forbidden(ctx.res, 'invite links');
  const key = field(ctx.req, 'chat', 200);
  const group = (await invites.groups(ctx.viewer)).find((g) => chatKey(g) === key && seesChat(ctx.viewer, g));
  if (!group) return forbidden(ctx.res, 'invite links for that chat');
  const name = field(ctx.req, 'name', 32);
  const days = field(ctx.req, 'days', 3);
  const limit = field(ctx.req, 'limit', 5);
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(name) || !/^\d{0,3}$/.test(days) || !/^\d{0,5}$/.test(limit)) {
    await ctx.setFlash({
      text: 'The name takes letters, digits, - and _; days and people are whole numbers.',
      error: true,
    });
    return ctx.res.redirect(303, `${BASE}/invites`);
  }
  // The same command a moderator types in the group: same checks, same code, same answer.
  const command = [
    '/invite',
    name,
    days && `${days}d`,
    limit && `limit ${limit}`,
    ctx.req.body?.approval === '1' && 'approval',
  ]
    .filter(Boolean)
    .join(' ');
  const answer = await ctx.ports.command(ctx.viewer, group, command);
  await record(ctx, 'invite', `${command} in ${groupName(group)}: ${answer.slice(0, 200)}`, group);
  await ctx.setFlash({ text: answer });
  ctx.res.redirect(303, `${BASE}/invites`);
};

export const invitesPages = [
  ['get', '/invites', invitesPage],
  ['post', '/invites', createInvite],
] as const;

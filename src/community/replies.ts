import type { Content } from '../core/content.js';
import { disclaimer, fillName, linksReply, menuButtons, rulesList, shownName } from '../core/replies.js';
import { bold, italic, para } from '../core/text.js';
import type { Button, Reply } from '../core/types.js';

/** How long the names in one welcome may get: with the rules and the disclaimer it stays one message. */
const MAX_NAMES_CHARS = 600;

/**
 * "Ana", "Ana and Ben", "Ana, Ben and Cleo", "Ana, Ben and 3 others". Each name is cut to
 * `MAX_NAME_CHARS` and the list to about 600 characters: the rest are counted as others.
 */
export function joinNames(names: readonly string[], unnamed = 0, max = 20): string {
  const shown: string[] = [];
  let length = 0;
  for (const name of names.slice(0, max).map(shownName)) {
    if (length + name.length > MAX_NAMES_CHARS) break;
    shown.push(name);
    length += name.length + 2;
  }
  const others = names.length - shown.length + unnamed;
  const parts = [...shown];
  if (others > 0)
    parts.push(
      shown.length === 0
        ? others === 1
          ? 'new member'
          : 'everyone'
        : `${others} other${others === 1 ? '' : 's'}`,
    );
  if (parts.length <= 1) return parts[0] ?? 'there';
  return `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`;
}

/** The community's welcome for one or many new members: their names, the rules, the disclaimer, a menu. */
export function communityWelcome(
  content: Content,
  who: string,
  buttons: readonly Button[] = menuButtons,
): Reply {
  const c = content.community;
  return {
    kind: 'welcome',
    paragraphs: [
      para(bold(c.name)),
      para(fillName(c.welcome, who.trim() || 'there')),
      para(bold('Our rules')),
      rulesList(content),
      para('Ask me a question in your own words, or pick from the menu.'),
      disclaimer(content),
    ],
    buttons,
  };
}

/** The onboarding a deep link (`?start=join`) opens: welcome, rules, disclaimer and the community's links. */
export function onboarding(content: Content, name?: string): Reply[] {
  return [communityWelcome(content, name ?? 'there'), linksReply(content)];
}

/** What someone who asked to join gets privately: the rules and an "I agree" button. */
export function joinRequestReply(
  content: Content,
  name: string | undefined,
  agreeData: string,
  timeout?: string,
): Reply {
  const c = content.community;
  return {
    kind: 'welcome',
    paragraphs: [
      para(bold(c.name)),
      para(
        `Hello ${name?.trim() || 'there'}, thank you for asking to join us. Before you come in, please read our rules:`,
      ),
      rulesList(content),
      para('Press "I agree" to accept them, and I will let you in.'),
      ...(timeout
        ? [
            para(
              italic(`Requests without an answer are declined after ${timeout}; you can ask again any time.`),
            ),
          ]
        : []),
      disclaimer(content),
    ],
    buttons: [{ label: 'I agree', data: agreeData }],
  };
}

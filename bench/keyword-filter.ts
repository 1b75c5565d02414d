import type { Content } from '../src/core/content.js';

/**
 * The approach community bots use today (Rose-style filters): each FAQ entry's keywords as
 * case-insensitive word-boundary patterns, checked in FAQ order; the first hit answers.
 * The eval scores it beside the bot, and the bench times it on the same message mix.
 */
export function createKeywordFilter(content: Content): (text: string) => string | undefined {
  const filters = content.faq.map((e) => ({
    id: e.id,
    patterns: e.keywords.map((k) => new RegExp(`\\b${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i')),
  }));
  return (text) => filters.find((f) => f.patterns.some((p) => p.test(text)))?.id;
}

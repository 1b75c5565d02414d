import type { IntentModel } from './intent-classifier.js';
import type { SafetyModel } from './safety-model.js';
import type { Paragraph } from './types.js';

/** One `##` section of the article, numbered from 1 in reading order. */
export interface Section {
  readonly number: number;
  readonly title: string;
  /** Paragraphs as shown to members (`###` sub-headings become bold paragraphs). */
  readonly paragraphs: readonly Paragraph[];
  /** Plain paragraph texts, for search and verbatim checks. */
  readonly texts: readonly string[];
}

/** A wording a moderator taught as answered by a whole section. */
export interface SectionPhrasing {
  readonly section: number;
  readonly text: string;
}

/** A question members ask, answered in the article's own words. */
export interface FaqEntry {
  readonly id: string;
  readonly number: number;
  readonly question: string;
  /** The question's button: short enough for two side by side on a phone. */
  readonly label: string;
  /** The {@link FaqTopic} it is listed under. */
  readonly topic: string;
  readonly answer: string;
  /** The section the answer's wording is copied from. */
  readonly section: number;
  /** The section to read for more (defaults to `section`). */
  readonly see: number;
  readonly keywords: readonly string[];
  readonly paraphrases: readonly string[];
}

/** A group of FAQ questions as /faq shows them ("About B12", "Tests and treatment"). */
export interface FaqTopic {
  readonly id: string;
  readonly title: string;
  /** Its questions, in FAQ order. */
  readonly entries: readonly FaqEntry[];
}

export interface Tip {
  readonly id: string;
  readonly section: number;
  readonly text: string;
}

export interface CommunityLink {
  readonly id: string;
  readonly label: string;
  readonly url: string;
}

/** The community's own texts (ours, not the article's): they make no medical claims. */
export interface Community {
  readonly name: string;
  readonly botName: string;
  readonly welcome: string;
  readonly rules: readonly string[];
  readonly disclaimer: string;
  readonly safetyMessage: string;
  readonly safetyPatterns: readonly string[];
  /** One line added beside an answer to alarming words that are no emergency now. */
  readonly cautionMessage: string;
  /** The emergency classifier trained on content/safety/ (absent: patterns and rules alone). */
  readonly safetyModel?: SafetyModel;
  readonly fallback: string;
  readonly greeting: string;
  readonly greetings: readonly string[];
  /** Links with an address; a configurable link without one is left out. */
  readonly links: readonly CommunityLink[];
}

/** Everything the bot says, loaded and validated from `content/`. */
export interface Content {
  readonly title: string;
  readonly source: string;
  readonly sections: readonly Section[];
  readonly faq: readonly FaqEntry[];
  /** The FAQ by topic, in the order /faq shows them; every entry is in exactly one. */
  readonly faqTopics: readonly FaqTopic[];
  readonly tips: readonly Tip[];
  readonly community: Community;
  /** Member word or phrase (lower case) -> the article's words. */
  readonly synonyms: ReadonlyMap<string, string>;
  /** Topics the article does not cover: questions naming them are never answered outright. */
  readonly notCovered: readonly string[];
  /** The FAQ classifier trained by `npm run faq:train` (content/faq-model.json; absent: search alone). */
  readonly faqModel?: IntentModel;
  /**
   * Members' wordings a whole section answers (content/section-phrasings.yaml, taught in the web
   * console): asked again, one is answered outright from that section. Lower case, one space.
   */
  readonly sectionPhrasings?: readonly SectionPhrasing[];
}

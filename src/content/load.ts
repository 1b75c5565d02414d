import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import type { Content, FaqEntry, FaqTopic, Section, SectionPhrasing, Tip } from '../core/content.js';
import { loadIntentModel } from '../core/intent-classifier.js';
import { compilePattern } from '../core/phrases.js';
import { parseArticle } from './article.js';
import { ContentError, type ContentProblem } from './errors.js';
import { SECTION_PHRASINGS_FILE, taughtWording } from './taught.js';

const id = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'must be kebab-case (a-z, 0-9, dashes)');
const text = z.string().trim().min(1, 'must not be empty');

/** A button label: two fit side by side on a phone (Telegram's layout puts up to 24 characters in pairs). */
export const MAX_FAQ_LABEL = 24;
const shortText = (what: string) =>
  text.max(
    MAX_FAQ_LABEL,
    `${what} is at most ${MAX_FAQ_LABEL} characters, so that two fit side by side on a phone`,
  );

const faqSchema = z.strictObject({
  topics: z
    .array(z.strictObject({ id, title: shortText('a topic title') }))
    .min(1, 'give at least one topic: /faq shows the questions by topic'),
  entries: z
    .array(
      z.strictObject({
        id,
        question: text,
        topic: id,
        label: shortText('a label'),
        section: text,
        answer: text,
        see: text.optional(),
        keywords: z.array(text).min(1, 'give at least one keyword'),
        paraphrases: z.array(text).default([]),
      }),
    )
    .min(1, 'the FAQ needs at least one entry'),
});

const tipsSchema = z.strictObject({
  tips: z
    .array(
      z.strictObject({ id, section: text, text: text.max(600, 'a tip is short: at most 600 characters') }),
    )
    .min(20, 'at least 20 tips are needed for the rotation'),
});

const linkSchema = z
  .strictObject({
    id,
    label: text,
    url: z.url().optional(),
    url_env: z
      .string()
      .regex(/^[A-Z][A-Z0-9_]*$/)
      .optional(),
  })
  .refine((l) => l.url !== undefined || l.url_env !== undefined, 'a link needs "url" or "url_env"');

const communitySchema = z.strictObject({
  name: text,
  bot_name: text,
  welcome: text,
  rules: z.array(text).min(1),
  disclaimer: text.max(300, 'the disclaimer is meant to be short (at most 300 characters)'),
  safety: z.strictObject({
    message: text,
    caution: text
      .max(300, 'the caution is one short line (at most 300 characters)')
      .default(
        'If this is happening to you or someone near you now, call your emergency number: 112 (EU), 911 (US and Canada), 999 (UK).',
      ),
    patterns: z.array(text).min(1),
  }),
  fallback: text,
  greeting: text,
  greetings: z.array(text).default([]),
  links: z.array(linkSchema),
});

const synonymsSchema = z.strictObject({ synonyms: z.record(z.string().min(1), text) });

const notCoveredSchema = z.strictObject({ topics: z.array(text) });

const sectionPhrasingsSchema = z.strictObject({
  phrasings: z
    .array(
      z.strictObject({
        section: text,
        text: text.max(200, 'a wording is one question: at most 200 characters'),
      }),
    )
    .nullable()
    .transform((v) => v ?? []),
});

const unit = z.number().min(0).max(1);
/** content/safety/model.json, written by `npm run safety:train`. */
const safetyModelSchema = z.strictObject({
  bias: z.number(),
  emergencyAt: unit,
  cautionAt: unit,
  trainedOn: z.string().optional(),
  weights: z.record(z.string(), z.number()),
});

/**
 * A trained model's JSON file, when it exists (models are optional): checked against its schema and
 * loaded; a broken file is a content problem that names the script that writes it anew.
 */
async function readModel<T, M>(
  dir: string,
  model: { file: string; schema: z.ZodType<T>; load: (data: T) => M; script: string },
  problems: ContentProblem[],
): Promise<M | undefined> {
  const { file, schema, load, script } = model;
  let raw: string;
  try {
    raw = await readFile(path.join(dir, file), 'utf8');
  } catch {
    return undefined;
  }
  const problem = (message: string) => problems.push({ file, line: 0, message: `${message}; run ${script}` });
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    problem(`not JSON (${(err as Error).message})`);
    return undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    problem(`not a model: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
    return undefined;
  }
  try {
    return load(parsed.data);
  } catch (err) {
    problem(`not a model (${(err as Error).message})`);
    return undefined;
  }
}

/** content/faq-model.json, written by `npm run faq:train`. */
const faqModelSchema = z.strictObject({
  labels: z.array(z.string()).min(1),
  bits: z.number().int().min(4).max(22),
  bias: z.array(z.number()),
  scale: z.number().positive(),
  weights: z.string(),
  questionWeight: z.number().min(0),
  trainedOn: z.string().optional(),
});

/** Addresses for links the seed does not give, from configuration (`url_env` names). */
export type LinkUrls = Readonly<Record<string, string | undefined>>;

/** Lower case, one space, one kind of apostrophe and quote: for verbatim comparisons. */
export const normalizeForCompare = (s: string): string =>
  s.toLowerCase().replace(/[’‘`]/g, "'").replace(/[“”]/g, '"').replace(/\s+/g, ' ').trim();

/**
 * Loads and validates every file in `dir`. Throws {@link ContentError} listing every
 * problem with its file and line. Checks that each FAQ answer and tip is copied word for
 * word from the section it names, so the bot never says what the article does not.
 */
export async function loadContent(
  dir: string,
  linkUrls: LinkUrls = {},
  /** Changes a file's text before it is validated (taught phrasings, see taught.ts). */
  edit?: (file: string, source: string) => string,
): Promise<Content> {
  const problems: ContentProblem[] = [];
  const read = async (name: string) => {
    try {
      const source = await readFile(path.join(dir, name), 'utf8');
      return edit ? edit(name, source) : source;
    } catch (err) {
      problems.push({ file: name, line: 0, message: `cannot read: ${(err as Error).message}` });
      return undefined;
    }
  };
  const [articleSrc, faqSrc, tipsSrc, communitySrc, synonymsSrc, notCoveredSrc] = await Promise.all(
    ['article.md', 'faq.yaml', 'tips.yaml', 'community.yaml', 'synonyms.yaml', 'not-covered.yaml'].map(read),
  );
  // Optional: content without taught sections has no file (the edit may still bring some).
  const sectionPhrasingsSrc = await readFile(path.join(dir, SECTION_PHRASINGS_FILE), 'utf8').then(
    (src) => (edit ? edit(SECTION_PHRASINGS_FILE, src) : src),
    () => (edit ? edit(SECTION_PHRASINGS_FILE, '') : ''),
  );
  const safetyModel = await readModel(
    dir,
    { file: 'safety/model.json', schema: safetyModelSchema, load: (m) => m, script: 'npm run safety:train' },
    problems,
  );
  const faqModel = await readModel(
    dir,
    { file: 'faq-model.json', schema: faqModelSchema, load: loadIntentModel, script: 'npm run faq:train' },
    problems,
  );
  const article = articleSrc === undefined ? undefined : parseArticle('article.md', articleSrc, problems);
  const faq = parseYaml('faq.yaml', faqSrc, faqSchema, problems);
  const tips = parseYaml('tips.yaml', tipsSrc, tipsSchema, problems);
  const community = parseYaml('community.yaml', communitySrc, communitySchema, problems);
  const synonyms = parseYaml('synonyms.yaml', synonymsSrc, synonymsSchema, problems);
  const notCovered = parseYaml('not-covered.yaml', notCoveredSrc, notCoveredSchema, problems);
  const sectionPhrasings =
    sectionPhrasingsSrc.trim() === ''
      ? undefined
      : parseYaml(SECTION_PHRASINGS_FILE, sectionPhrasingsSrc, sectionPhrasingsSchema, problems);

  if (!article || !faq || !tips || !community || !synonyms || !notCovered || problems.length > 0) {
    throw new ContentError(problems);
  }

  const sections: Section[] = article.sections.map((s, i) => ({
    number: i + 1,
    title: s.title,
    paragraphs: s.paragraphs,
    texts: s.texts,
  }));
  const { findSection, verbatim } = articleChecks(sections);
  const { faqEntries, faqTopics } = checkFaq(faq, findSection, verbatim, problems);
  const tipList = checkTips(tips, findSection, verbatim);

  // A "not covered" topic the article does talk about would silence real answers.
  const articleText = ` ${normalizeForCompare(sections.flatMap((s) => s.texts).join(' ')).replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
  notCovered.value.topics.forEach((t, i) => {
    if (articleText.includes(` ${normalizeForCompare(t)} `)) {
      notCovered.problem(
        ['topics', i],
        `"${t}" is in the article, so it is covered: remove it from this list`,
      );
    }
  });

  const phrasingList = sectionPhrasings
    ? checkSectionPhrasings(sectionPhrasings, faqEntries, (at, title) =>
        findSection(sectionPhrasings, at, title),
      )
    : [];

  const checkPatterns = (file: YamlFile, key: string[], list: readonly string[]) =>
    list.forEach((pattern, i) => {
      try {
        compilePattern(pattern);
      } catch (err) {
        file.problem([...key, i], `bad pattern: ${(err as Error).message}`);
      }
    });
  checkPatterns(community, ['safety', 'patterns'], community.value.safety.patterns);
  checkPatterns(notCovered, ['topics'], notCovered.value.topics);

  if (problems.length > 0) throw new ContentError(problems);

  const c = community.value;
  return {
    title: article.title,
    source: article.source,
    sections,
    faq: faqEntries,
    faqTopics,
    tips: tipList,
    community: {
      name: c.name,
      botName: c.bot_name,
      welcome: c.welcome,
      rules: c.rules,
      disclaimer: c.disclaimer,
      safetyMessage: c.safety.message,
      safetyPatterns: c.safety.patterns.map((p) => p.toLowerCase()),
      cautionMessage: c.safety.caution,
      ...(safetyModel ? { safetyModel } : {}),
      fallback: c.fallback,
      greeting: c.greeting,
      greetings: c.greetings.map((g) => g.toLowerCase()),
      links: c.links.flatMap((l) => {
        const url = l.url ?? (l.url_env ? linkUrls[l.url_env] : undefined);
        return url ? [{ id: l.id, label: l.label, url }] : [];
      }),
    },
    synonyms: new Map(
      Object.entries(synonyms.value.synonyms).map(([k, v]) => [k.toLowerCase(), v.toLowerCase()]),
    ),
    notCovered: notCovered.value.topics.map((t) => t.toLowerCase()),
    ...(faqModel ? { faqModel } : {}),
    ...(phrasingList.length > 0 ? { sectionPhrasings: phrasingList } : {}),
  };
}

/** Where a YAML file's quotes must come from: a section by title, and its words verbatim. */
interface ArticleChecks {
  findSection(file: YamlFile, at: (string | number)[], title: string): Section | undefined;
  verbatim(file: YamlFile, at: (string | number)[], quote: string, section: Section): void;
}

function articleChecks(sections: readonly Section[]): ArticleChecks {
  const sectionByTitle = new Map(sections.map((s) => [normalizeForCompare(s.title), s]));
  const findSection = (file: YamlFile, at: (string | number)[], title: string) => {
    const section = sectionByTitle.get(normalizeForCompare(title));
    if (!section) file.problem(at, `no section titled "${title}" in article.md`);
    return section;
  };
  const verbatim = (file: YamlFile, at: (string | number)[], quote: string, section: Section) => {
    const haystack = normalizeForCompare(section.texts.join(' '));
    if (!haystack.includes(normalizeForCompare(quote))) {
      file.problem(
        at,
        `not the article's wording: this text is not found word for word in section "${section.title}"`,
      );
    }
  };
  return { findSection, verbatim };
}

/** faq.yaml's entries and topics, each checked against the article (`problems`: all found so far). */
function checkFaq(
  faq: YamlFile & { value: z.infer<typeof faqSchema> },
  findSection: ArticleChecks['findSection'],
  verbatim: ArticleChecks['verbatim'],
  problems: readonly ContentProblem[],
): { faqEntries: FaqEntry[]; faqTopics: FaqTopic[] } {
  const faqEntries: FaqEntry[] = [];
  const seenIds = new Set<string>();
  const topicIds = faq.value.topics.map((t) => t.id);
  const labels = new Map<string, string>();
  faq.value.entries.forEach((e, i) => {
    if (seenIds.has(e.id)) faq.problem(['entries', i, 'id'], `id "${e.id}" is used twice`);
    seenIds.add(e.id);
    if (!topicIds.includes(e.topic)) {
      faq.problem(['entries', i, 'topic'], `no topic "${e.topic}": the topics are ${topicIds.join(', ')}`);
    }
    const twin = labels.get(e.label.toLowerCase());
    if (twin) faq.problem(['entries', i, 'label'], `the label "${e.label}" is already used by "${twin}"`);
    labels.set(e.label.toLowerCase(), e.id);
    const section = findSection(faq, ['entries', i, 'section'], e.section);
    const see = e.see === undefined ? section : findSection(faq, ['entries', i, 'see'], e.see);
    if (section) verbatim(faq, ['entries', i, 'answer'], e.answer, section);
    if (section && see) {
      faqEntries.push({
        id: e.id,
        number: i + 1,
        question: e.question,
        label: e.label,
        topic: e.topic,
        answer: e.answer.replace(/\s+/g, ' ').trim(),
        section: section.number,
        see: see.number,
        keywords: e.keywords.map((k) => k.toLowerCase()),
        paraphrases: e.paraphrases,
      });
    }
  });

  const faqTopics: FaqTopic[] = faq.value.topics.map((t) => ({
    id: t.id,
    title: t.title,
    entries: faqEntries.filter((e) => e.topic === t.id),
  }));
  const seenTopics = new Set<string>();
  faqTopics.forEach((t, i) => {
    if (seenTopics.has(t.id)) faq.problem(['topics', i, 'id'], `topic "${t.id}" is listed twice`);
    seenTopics.add(t.id);
    if (t.entries.length === 0 && problems.length === 0)
      faq.problem(
        ['topics', i],
        `topic "${t.id}" has no questions: give entries "topic: ${t.id}", or remove it`,
      );
  });
  return { faqEntries, faqTopics };
}

/** tips.yaml's tips, each a verbatim quote of the section it names. */
function checkTips(
  tips: YamlFile & { value: z.infer<typeof tipsSchema> },
  findSection: ArticleChecks['findSection'],
  verbatim: ArticleChecks['verbatim'],
): Tip[] {
  const tipList: Tip[] = [];
  const tipIds = new Set<string>();
  tips.value.tips.forEach((t, i) => {
    if (tipIds.has(t.id)) tips.problem(['tips', i, 'id'], `id "${t.id}" is used twice`);
    tipIds.add(t.id);
    const section = findSection(tips, ['tips', i, 'section'], t.section);
    if (section) {
      verbatim(tips, ['tips', i, 'text'], t.text, section);
      tipList.push({ id: t.id, section: section.number, text: t.text.replace(/\s+/g, ' ').trim() });
    }
  });
  return tipList;
}

/**
 * Each wording names a section that exists, appears once, and is no FAQ entry's question or
 * paraphrase too (a wording is answered by one thing).
 */
function checkSectionPhrasings(
  file: YamlFile & { value: z.infer<typeof sectionPhrasingsSchema> },
  faq: readonly FaqEntry[],
  findSection: (at: (string | number)[], title: string) => Section | undefined,
): SectionPhrasing[] {
  const faqWordings = new Map<string, FaqEntry>();
  for (const e of faq) for (const w of [e.question, ...e.paraphrases]) faqWordings.set(taughtWording(w), e);
  const seen = new Set<string>();
  const out: SectionPhrasing[] = [];
  file.value.phrasings.forEach((p, i) => {
    const section = findSection(['phrasings', i, 'section'], p.section);
    const wording = taughtWording(p.text);
    const entry = faqWordings.get(wording);
    if (wording === '') file.problem(['phrasings', i, 'text'], 'has no words');
    else if (seen.has(wording)) file.problem(['phrasings', i, 'text'], `"${wording}" is listed twice`);
    else if (entry)
      file.problem(
        ['phrasings', i, 'text'],
        `"${wording}" is already a wording of FAQ entry "${entry.id}" (faq.yaml): a wording is answered by one thing`,
      );
    else if (section) out.push({ section: section.number, text: wording });
    seen.add(wording);
  });
  return out;
}

interface YamlFile {
  problem(at: (string | number)[], message: string): void;
}

function parseYaml<T>(
  file: string,
  source: string | undefined,
  schema: z.ZodType<T>,
  problems: ContentProblem[],
): (YamlFile & { value: T }) | undefined {
  if (source === undefined) return undefined;
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, prettyErrors: false });
  const lineOf = (at: PropertyKey[]): number => {
    for (let n = at.length; n >= 0; n--) {
      const node = doc.getIn(at.slice(0, n) as (string | number)[], true);
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return 1;
  };
  const helper: YamlFile = {
    problem: (at, message) =>
      problems.push({ file, line: lineOf(at), message: `${describePath(at)}${message}` }),
  };
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      problems.push({
        file,
        line: lineCounter.linePos(e.pos[0]).line,
        message: `YAML syntax: ${e.message.split('\n')[0]}`,
      });
    }
    return undefined;
  }
  const parsed = schema.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) helper.problem(issue.path as (string | number)[], issue.message);
    return undefined;
  }
  return { ...helper, value: parsed.data };
}

const describePath = (at: PropertyKey[]): string =>
  at.length === 0
    ? ''
    : `${at
        .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
        .join('')
        .replace(/^\./, '')}: `;

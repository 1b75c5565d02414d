/**
 * Router benchmark: how fast free-text questions are answered, at the real content size
 * and with the FAQ scaled to 1,000 entries. Prints labelled figures; asserts nothing.
 */
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadContent } from '../src/content/load.js';
import { createMatcher } from '../src/content/matcher.js';
import type { Content, FaqEntry } from '../src/core/content.js';
import type { Matcher } from '../src/core/ports.js';
import { createRouter } from '../src/core/router.js';
import type { Incoming } from '../src/core/types.js';
import { createKeywordFilter } from './keyword-filter.js';

/** A fixed mix: answerable questions, the same with typos, and off-topic ones. */
export const QUESTIONS: readonly string[] = [
  // answerable
  'can b12 cure fibro?',
  'how long does b12 take to work?',
  'who is at risk of low b12',
  'what foods have vitamin b12 in them',
  'should i get my b12 tested?',
  'are b12 shots better than pills',
  'what does b12 do in the body',
  'which b12 symptoms overlap with fibromyalgia',
  'does metformin lower b12?',
  'what causes fibromyalgia',
  // typos
  'can b12 cuer fibromyalgia',
  'sypmtoms of low b12',
  'how long befor b12 starts workin',
  'is b-12 defficiency the cause of fibro',
  'wich foods have b12',
  // off-topic
  'who won the football last night?',
  'what is the weather tomorrow',
  'can you recommend a good movie',
  'how do i reset my phone password',
  'lol same here',
];

export interface BenchFigures {
  readonly label: string;
  readonly faqEntries: number;
  readonly indexBuildMs: number;
  readonly messagesPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly rssMb: number;
  /**
   * Processor time per message (user + system, this process): steadier than wall time when
   * other work shares the machine, though a busy machine still slows it (caches, clock).
   */
  readonly cpuUs: number;
  /** The Rose-style keyword filter on the same messages in the same run. */
  readonly keywordFilter: {
    readonly messagesPerSecond: number;
    readonly p99Ms: number;
    readonly cpuUs: number;
  };
}

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

const incoming = (text: string, i: number): Incoming => ({
  kind: 'text',
  text,
  chat: { platform: 'console', chatId: `bench-${i % 50}`, chatType: 'private' },
  sender: { id: `member-${i % 50}` },
  addressed: true,
});

/** Content with the FAQ scaled to `size` synthetic entries derived from the real ones. */
export function scaleFaq(content: Content, size: number): Content {
  const topics = [
    'at night',
    'for women',
    'after 60',
    'with diabetes',
    'on a vegan diet',
    'during a flare',
    'for beginners',
  ];
  const openers = ['', 'Quick question: ', 'I keep wondering: ', 'My doctor mentioned this: ', 'Honestly, '];
  const faq: FaqEntry[] = [];
  for (let i = 0; i < size; i++) {
    const base = content.faq[i % content.faq.length]!;
    const round = Math.floor(i / content.faq.length);
    const topic = topics[round % topics.length]!;
    const opener = openers[(i + round) % openers.length]!;
    const question =
      round === 0
        ? base.question
        : `${opener}${base.question.replace(/\?$/, '')} ${topic} (variant ${round})?`;
    faq.push({
      ...base,
      id: round === 0 ? base.id : `${base.id}-v${round}`,
      number: i + 1,
      question,
      keywords: round === 0 ? base.keywords : [...base.keywords.slice(0, 3), topic, `variant${round}`],
      paraphrases: round === 0 ? base.paraphrases : base.paraphrases.map((p) => `${p} ${topic}`),
    });
  }
  return { ...content, faq };
}

/** Times `handle` on the question mix, one message at a time, after a warm-up. */
async function time(
  handle: (text: string, i: number) => unknown,
  warmup: number,
  rounds: number,
): Promise<{ messagesPerSecond: number; p50Ms: number; p99Ms: number; cpuUs: number }> {
  for (let i = 0; i < warmup; i++) await handle(QUESTIONS[i % QUESTIONS.length]!, i);
  const latencies = new Float64Array(rounds);
  const cpu = process.cpuUsage();
  const start = performance.now();
  for (let i = 0; i < rounds; i++) {
    const s = performance.now();
    await handle(QUESTIONS[i % QUESTIONS.length]!, i);
    latencies[i] = performance.now() - s;
  }
  const total = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    messagesPerSecond: rounds / (total / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    cpuUs: (used.user + used.system) / rounds,
  };
}

async function measure(
  label: string,
  content: Content,
  warmup: number,
  rounds: number,
): Promise<BenchFigures> {
  const t0 = performance.now();
  const matcher: Matcher = createMatcher(content);
  const indexBuildMs = performance.now() - t0;
  const router = createRouter({ content: { current: () => ({ content, matcher }) } });
  const ours = await time((text, i) => router.handle(incoming(text, i)), warmup, rounds);
  const filter = createKeywordFilter(content);
  const keywords = await time((text) => filter(text), warmup, rounds);
  return {
    label,
    faqEntries: content.faq.length,
    indexBuildMs,
    ...ours,
    rssMb: process.memoryUsage().rss / 1024 / 1024,
    keywordFilter: {
      messagesPerSecond: keywords.messagesPerSecond,
      p99Ms: keywords.p99Ms,
      cpuUs: keywords.cpuUs,
    },
  };
}

const print = (f: BenchFigures) => {
  console.log(`\n${f.label} (${f.faqEntries} FAQ entries)`);
  console.log(`  index build time       ${f.indexBuildMs.toFixed(1)} ms`);
  console.log(`  router throughput      ${Math.round(f.messagesPerSecond)} messages/s (one at a time)`);
  console.log(`  latency p50            ${f.p50Ms.toFixed(3)} ms`);
  console.log(`  latency p99            ${f.p99Ms.toFixed(3)} ms`);
  console.log(
    `  processor time         ${f.cpuUs.toFixed(1)} µs per message (${Math.round(1e6 / f.cpuUs)} messages/s of one core's time)`,
  );
  console.log(`  resident memory (rss)  ${f.rssMb.toFixed(0)} MB`);
  const k = f.keywordFilter;
  console.log(
    `  keyword filter         ${Math.round(k.messagesPerSecond)} messages/s, p99 ${k.p99Ms.toFixed(3)} ms` +
      ` (Rose-style, same messages, same run; this bot does ${(f.messagesPerSecond / k.messagesPerSecond).toFixed(2)}x its throughput)`,
  );
  console.log(
    `  keyword filter time    ${k.cpuUs.toFixed(1)} µs per message (this bot takes ${(f.cpuUs / k.cpuUs).toFixed(1)}x its processor time)`,
  );
};

/** Runs the router benchmark on the real content and on a 1,000-entry FAQ; prints and returns the figures. */
export async function runRouterBench(
  options: { contentDir?: string; warmup?: number; rounds?: number } = {},
): Promise<BenchFigures[]> {
  const warmup = options.warmup ?? 2_000;
  const rounds = options.rounds ?? 20_000;
  const content = await loadContent(path.resolve(options.contentDir ?? 'content'));
  const compiled = import.meta.url.endsWith('.js');
  console.log('Router benchmark: free-text questions through createRouter');
  console.log(
    `  Node ${process.version}, ${compiled ? 'compiled JavaScript (npm run bench)' : 'TypeScript through tsx (not the figures to quote: npm run bench runs compiled code)'}`,
  );
  console.log(
    `  question mix: ${QUESTIONS.length} questions (answerable, with typos, off-topic); warm-up ${warmup}, measured ${rounds}`,
  );
  console.log(`  resident memory at start: ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MB`);
  console.log(
    `  machine load (1, 5, 15 min): ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')} on ${availableParallelism()} cores`,
  );
  const figures: BenchFigures[] = [];
  for (const [label, c] of [
    ['Real content', content],
    ['FAQ scaled to 1,000 entries', scaleFaq(content, 1_000)],
  ] as const) {
    const f = await measure(label, c, warmup, rounds);
    print(f);
    figures.push(f);
  }
  return figures;
}

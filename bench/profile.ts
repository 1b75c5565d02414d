/**
 * Profiling driver: the bench's question mix through the router at one content size, for
 * `node --cpu-prof dist/bench-build/bench/profile.js [24|1000] [rounds]` after `tsc -p tsconfig.bench.json`.
 * Prints the top self-time functions of a .cpuprofile with `--top <file>`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadContent } from '../src/content/load.js';
import { createMatcher } from '../src/content/matcher.js';
import { createRouter } from '../src/core/router.js';
import { QUESTIONS, scaleFaq } from './router-bench.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

if (process.argv[2] === '--top') {
  const profile = JSON.parse(readFileSync(process.argv[3]!, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  for (const id of profile.samples) {
    const f = byId.get(id)!.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${path.basename(f.url)}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + 1);
  }
  const total = profile.samples.length;
  for (const [key, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[4] ?? 15))) {
    console.log(`${((100 * n) / total).toFixed(1).padStart(5)}%  ${key}`);
  }
} else {
  const size = Number(process.argv[2] ?? 24);
  const rounds = Number(process.argv[3] ?? 40_000);
  const real = await loadContent(path.resolve('content'));
  const content = size > real.faq.length ? scaleFaq(real, size) : real;
  const matcher = createMatcher(content);
  const router = createRouter({ content: { current: () => ({ content, matcher }) } });
  const start = performance.now();
  for (let i = 0; i < rounds; i++) {
    await router.handle({
      kind: 'text',
      text: QUESTIONS[i % QUESTIONS.length]!,
      chat: { platform: 'console', chatId: `bench-${i % 50}`, chatType: 'private' },
      sender: { id: `member-${i % 50}` },
      addressed: true,
    });
  }
  console.log(`${rounds} messages, ${Math.round(rounds / ((performance.now() - start) / 1000))} msg/s`);
}

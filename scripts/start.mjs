// `npm start`: runs the compiled bot in this one node process (no tsx wrapper, no esbuild helpers).
// Compiles src/ into dist/ first when dist/ is missing or older than the sources, so a fresh clone
// needs nothing but `npm ci && npm start`. Development keeps `tsx` (`npm run chat`, the tests).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const entry = path.join(root, 'dist', 'main.js');

/** The newest modification time under a directory (or of a file). */
function newest(p) {
  const s = statSync(p, { throwIfNoEntry: false });
  if (!s) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  let t = s.mtimeMs;
  for (const name of readdirSync(p)) t = Math.max(t, newest(path.join(p, name)));
  return t;
}

const sources = Math.max(
  newest(path.join(root, 'src')),
  newest(path.join(root, 'tsconfig.json')),
  newest(path.join(root, 'tsconfig.build.json')),
);
const built = existsSync(entry) ? statSync(entry).mtimeMs : 0;

if (built < sources) {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    tsc = undefined;
  }
  if (!tsc && built === 0) {
    process.stderr.write('dist/ is missing and TypeScript is not installed: run `npm ci`, then `npm start`.\n');
    process.exit(1);
  }
  if (tsc) {
    process.stderr.write('Compiling the bot into dist/ (on the first start and after source changes)...\n');
    rmSync(path.join(root, 'dist'), { recursive: true, force: true });
    const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) {
      process.stderr.write('Compiling failed (see above); `npm run check` shows the same problems.\n');
      process.exit(r.status ?? 1);
    }
  }
}

await import(pathToFileURL(entry).href);

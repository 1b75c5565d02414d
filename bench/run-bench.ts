/**
 * `npm run bench`: builds src/ and bench/ to dist/bench-build with tsc and runs the router
 * benchmark compiled, then the delivery benchmark (`--router-only` skips it).
 * `npm run bench:tsx` runs the same through tsx (slower; not the figures to quote).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runRouterBench } from './router-bench.js';

await runRouterBench();

if (!process.argv.includes('--router-only')) {
  // Written by the scheduling work; optional so the router bench runs on its own.
  const ext = import.meta.url.endsWith('.js') ? 'js' : 'ts';
  const delivery = new URL(`./delivery-bench.${ext}`, import.meta.url);
  if (existsSync(fileURLToPath(delivery))) {
    const mod = (await import(delivery.href)) as { runDeliveryBench?: () => Promise<unknown> };
    if (typeof mod.runDeliveryBench === 'function') {
      console.log('');
      await mod.runDeliveryBench();
    } else {
      console.log('\nbench/delivery-bench exports no runDeliveryBench(): skipped.');
    }
  } else {
    console.log('\n(no bench/delivery-bench yet: delivery benchmark skipped)');
  }
}

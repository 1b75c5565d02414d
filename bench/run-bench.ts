/** `npm run bench`: the router benchmark, then the delivery benchmark when it exists. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runRouterBench } from './router-bench.js';

await runRouterBench();

// Written by the scheduling work; optional so the router bench runs on its own.
const delivery = new URL('./delivery-bench.ts', import.meta.url);
if (existsSync(fileURLToPath(delivery))) {
  const mod = (await import(delivery.href)) as { runDeliveryBench?: () => Promise<unknown> };
  if (typeof mod.runDeliveryBench === 'function') {
    console.log('');
    await mod.runDeliveryBench();
  } else {
    console.log('\nbench/delivery-bench.ts exports no runDeliveryBench(): skipped.');
  }
} else {
  console.log('\n(no bench/delivery-bench.ts yet: delivery benchmark skipped)');
}

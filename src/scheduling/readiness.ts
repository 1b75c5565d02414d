import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';

/**
 * Whether Redis answers for both the shared client and the queue's own connection, waiting up to
 * `waitMs` for a connection being (re)made.
 */
export async function queueReady(client: Redis, queue: Queue, waitMs: number): Promise<boolean> {
  // The queue has its own connection: the shared client being back says nothing about it.
  const deadline = Date.now() + waitMs;
  if (!(await connected(client, waitMs))) return false;
  const queueClient = await Promise.race([
    queue.getBackend().client as Promise<unknown> as Promise<Redis>,
    sleep(Math.max(0, deadline - Date.now())),
  ]);
  return queueClient ? connected(queueClient, Math.max(0, deadline - Date.now())) : false;
}

const sleep = (ms: number) => new Promise<undefined>((r) => setTimeout(() => r(undefined), ms));

/** Whether an ioredis client is connected, waiting up to `waitMs` for one being (re)made. */
function connected(c: { status: string; on: Redis['on']; off: Redis['off'] }, waitMs: number) {
  if (c.status === 'ready') return Promise.resolve(true);
  if (c.status === 'end' || waitMs <= 0) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      c.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), waitMs);
    c.on('ready', onReady);
  });
}

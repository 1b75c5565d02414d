import type { ILogger } from './types.js';

/**
 * Work in flight (handling, credential saves), so `whenIdle()` can wait for it, and one queue per
 * chat so a chat's messages are read in order.
 */
export class Work {
  private readonly inflight = new Set<Promise<unknown>>();
  private readonly chatQueues = new Map<string, Promise<void>>();

  constructor(private readonly logger: ILogger) {}

  /** Counts `p` as work in flight until it settles. */
  readonly track = (p: Promise<unknown>): void => {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  };

  /** Runs `task` after earlier work for the same chat, so a chat's messages are read in order. */
  readonly serial = (key: string, task: () => Promise<void>): void => {
    const next = (this.chatQueues.get(key) ?? Promise.resolve())
      .then(task)
      .catch((err) => this.logger.error({ err, chat: key }, 'whatsapp: handling failed'));
    this.chatQueues.set(key, next);
    void next.finally(() => {
      if (this.chatQueues.get(key) === next) this.chatQueues.delete(key);
    });
    this.track(next);
  };

  /** Settles when every piece of work tracked so far (and what it started) has settled. */
  readonly whenIdle = async (): Promise<void> => {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  };
}

/**
 * One lane per chat: jobs for the same chat run one after another, in the order they were
 * given; different chats never wait for each other. A failed job fails its own caller only.
 */
export class ChatLanes {
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `job` once every job given before for `key` has settled. */
  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const before = this.tails.get(key) ?? Promise.resolve();
    const result = before.then(job);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Settles once every job given so far has settled. */
  async idle(): Promise<void> {
    while (this.tails.size > 0) await Promise.all(this.tails.values());
  }
}

const deliveries = new WeakMap<object, Promise<void>[]>();

/**
 * Hands a queued delivery back to the update pipeline. Handlers route inside their chat's lane
 * and only queue their replies there; the pipeline waits for the sends after leaving the lane,
 * so a reply waiting for Telegram never holds up the next update of the chat.
 */
export function sendLater(ctx: object, delivery: Promise<void>): void {
  // Failures reach the pipeline through inLane; until then they are not "unhandled".
  delivery.catch(() => undefined);
  const list = deliveries.get(ctx);
  if (list) list.push(delivery);
  else deliveries.set(ctx, [delivery]);
}

/** Runs `route` in the chat's lane, then waits for the deliveries it queued (throws the first failure). */
export async function inLane(
  lanes: ChatLanes,
  key: string | undefined,
  ctx: object,
  route: () => Promise<void>,
): Promise<void> {
  deliveries.set(ctx, []);
  try {
    await (key === undefined ? route() : lanes.run(key, route));
  } finally {
    const queued = deliveries.get(ctx) ?? [];
    deliveries.delete(ctx);
    await Promise.all(queued);
  }
}

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { AdapterHooks } from '../core/adapter.js';
import type { Router } from '../core/router.js';
import type { Platform, Reply } from '../core/types.js';

/** What the queue-depth gauge needs from a queue: BullMQ's `Queue` fits. */
export interface CountableQueue {
  readonly name: string;
  getJobCounts(...types: QueueState[]): Promise<Record<string, number>>;
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed', 'prioritized', 'waiting-children'] as const;
type QueueState = (typeof QUEUE_STATES)[number];

/**
 * The bot's Prometheus metrics, one registry per process (tests make their own).
 *
 * @example
 * const metrics = createMetrics();
 * const router = instrumentRouter(createRouter(...), metrics);
 * metrics.deliveryLatency.observe({ platform: 'telegram', kind: 'tip' }, 0.8); // seconds
 */
export interface BotMetrics {
  readonly registry: Registry;
  /** Updates that reached the router, by platform and incoming kind. */
  readonly messagesIn: Counter<'platform' | 'kind'>;
  /** Replies the router produced, by platform and reply kind. */
  readonly repliesOut: Counter<'platform' | 'kind'>;
  /** Questions the content had no answer for. */
  readonly unanswered: Counter<'platform'>;
  /**
   * Seconds from when a delivery job was due to when the platform accepted the message.
   * The scheduling worker observes it: `deliveryLatency.observe({ platform, kind }, seconds)`.
   */
  readonly deliveryLatency: Histogram<'platform' | 'kind'>;
  /** Platform answers of 429 (too many requests). */
  readonly rateLimited: Counter<'platform'>;
  /** Dropped connections the adapter is reconnecting (WhatsApp). */
  readonly reconnects: Counter<'platform' | 'reason'>;
  /** 1 when the adapter says its platform connection is up. */
  readonly connected: Gauge<'platform'>;
  /** Bookkeeping records (answer counts, unanswered questions) dropped because the store was too slow. */
  readonly bookkeepingDropped: Counter<'what'>;
  /** Hooks to hand to adapters so 429s, reconnects and connection changes are counted. */
  readonly hooks: AdapterHooks;
  /**
   * WhatsApp-only hooks (the adapter's `WhatsAppHooks`): messages WhatsApp refused after relaying
   * them (`bot_whatsapp_send_refused_total{code}`), resend requests (`bot_whatsapp_resends_total{result}`),
   * incoming messages dropped while sending was paused (`bot_whatsapp_inbound_dropped_total`).
   */
  readonly whatsappHooks: {
    onSendRefused(code: string): void;
    onResend(result: 'served' | 'missing'): void;
    onInboundDropped(): void;
  };
  /** Adds queues whose job counts are exported as `bot_queue_jobs{queue,state}` at scrape time. */
  watchQueues(queues: readonly CountableQueue[]): void;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): BotMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });
  const messagesIn = counter(
    'bot_messages_in_total',
    'Updates that reached the router, by platform and kind',
    ['platform', 'kind'],
  );
  const repliesOut = counter(
    'bot_replies_out_total',
    'Replies the router produced, by platform and reply kind',
    ['platform', 'kind'],
  );
  const unanswered = counter('bot_unanswered_questions_total', 'Questions the content had no answer for', [
    'platform',
  ]);
  const deliveryLatency = new Histogram({
    name: 'bot_delivery_latency_seconds',
    help: 'Seconds from when a queued message was due to when the platform accepted it',
    labelNames: ['platform', 'kind'] as const,
    buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900],
    registers,
  });
  const rateLimited = counter('bot_rate_limited_total', 'Platform answers of 429 (too many requests)', [
    'platform',
  ]);
  const reconnects = counter(
    'bot_reconnects_total',
    'Dropped platform connections the adapter is reconnecting',
    ['platform', 'reason'],
  );
  const connected = new Gauge({
    name: 'bot_platform_connected',
    help: '1 when the platform connection is up',
    labelNames: ['platform'] as const,
    registers,
  });
  const bookkeepingDropped = counter(
    'bot_bookkeeping_dropped_total',
    'Bookkeeping records dropped because too many were waiting for a slow store',
    ['what'],
  );
  const queues: CountableQueue[] = [];
  new Gauge({
    name: 'bot_queue_jobs',
    help: 'Jobs in each BullMQ queue by state',
    labelNames: ['queue', 'state'] as const,
    registers,
    async collect() {
      this.reset();
      // A Redis hiccup must not break the whole scrape: skip that queue this time.
      await Promise.all(
        queues.map(async (q) => {
          try {
            const counts = await q.getJobCounts(...QUEUE_STATES);
            for (const state of QUEUE_STATES) this.set({ queue: q.name, state }, counts[state] ?? 0);
          } catch {}
        }),
      );
    },
  });

  const hooks: AdapterHooks = {
    onRateLimited: (platform: Platform) => rateLimited.inc({ platform }),
    onReconnect: (platform: Platform, reason: string) =>
      reconnects.inc({ platform, reason: reason.slice(0, 40) }),
    onConnectionChange: (platform: Platform, up: boolean) => connected.set({ platform }, up ? 1 : 0),
  };

  const refused = counter(
    'bot_whatsapp_send_refused_total',
    'WhatsApp messages refused after relaying (463: restricted, 479: stale session ...), by code',
    ['code'],
  );
  const resends = counter(
    'bot_whatsapp_resends_total',
    'WhatsApp resend requests: served from the store, or missing',
    ['result'],
  );
  const dropped = counter(
    'bot_whatsapp_inbound_dropped_total',
    'Incoming WhatsApp messages dropped because too many were waiting (sending paused)',
  );
  const whatsappHooks = {
    onSendRefused: (code: string) => refused.inc({ code: code.slice(0, 12) }),
    onResend: (result: 'served' | 'missing') => resends.inc({ result }),
    onInboundDropped: () => dropped.inc(),
  };

  return {
    registry,
    whatsappHooks,
    messagesIn,
    repliesOut,
    unanswered,
    deliveryLatency,
    rateLimited,
    reconnects,
    connected,
    bookkeepingDropped,
    hooks,
    watchQueues: (more) => {
      for (const q of more) if (!queues.includes(q)) queues.push(q);
    },
  };
}

/** A router that counts what goes in and out; behaves exactly like the one it wraps. */
export function instrumentRouter(router: Router, metrics: BotMetrics): Router {
  return {
    commands: router.commands,
    isModerator: (incoming) => router.isModerator(incoming),
    actorOf: (incoming) => router.actorOf(incoming),
    async handle(incoming, options) {
      const platform = incoming.chat.platform;
      metrics.messagesIn.inc({ platform, kind: incoming.kind });
      const count = (replies: readonly Reply[]) => {
        for (const reply of replies) {
          metrics.repliesOut.inc({ platform, kind: reply.kind });
          if (reply.meta?.unanswered) metrics.unanswered.inc({ platform });
        }
      };
      const urgent = options?.urgent;
      const replies = await router.handle(
        incoming,
        urgent
          ? {
              urgent: (early) => {
                count(early);
                urgent(early);
              },
            }
          : {},
      );
      count(replies);
      return replies;
    },
  };
}

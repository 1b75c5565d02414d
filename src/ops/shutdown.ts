import type { OpsLogger } from './server.js';

/**
 * The order things stop in. Each phase finishes before the next starts; steps within a
 * phase run side by side.
 * - `intake`: stop taking new updates (adapters' `stop()` also finishes replies in flight);
 * - `work`: let active jobs finish (BullMQ `worker.close()`), stop schedulers;
 * - `connections`: close queues, then Redis clients;
 * - `last`: the ops HTTP server, the embedded redis-server, log flushing.
 */
export type ShutdownPhase = 'intake' | 'work' | 'connections' | 'last';
const PHASES: readonly ShutdownPhase[] = ['intake', 'work', 'connections', 'last'];

export interface Shutdown {
  /** Registers something to stop; modules add their own steps in main.ts. */
  add(phase: ShutdownPhase, name: string, run: () => unknown): void;
  /** Runs every step once, in phase order; later calls return the same promise. Resolves `true` when no step failed. */
  run(reason: string): Promise<boolean>;
  /** Whether shutdown has begun (workers can refuse new work). */
  readonly started: boolean;
  /**
   * SIGTERM/SIGINT run the shutdown and exit 0 (1 if a step failed); a second signal exits
   * at once with 1, leaving unfinished jobs in Redis for the next start to resume.
   */
  installSignalHandlers(signals?: readonly NodeJS.Signals[]): void;
}

export interface ShutdownOptions {
  readonly logger: OpsLogger;
  /** Injected in tests; defaults to `process.exit`. */
  readonly exit?: (code: number) => void;
}

/** Signals closer together than this count as one (see installSignalHandlers). */
const DUPLICATE_SIGNAL_MS = 1_000;

export function createShutdown(options: ShutdownOptions): Shutdown {
  const { logger } = options;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const steps: { phase: ShutdownPhase; name: string; run: () => unknown }[] = [];
  let running: Promise<boolean> | undefined;

  async function runAll(reason: string): Promise<boolean> {
    logger.info({ reason }, 'shutting down');
    let ok = true;
    for (const phase of PHASES) {
      const now = steps.filter((s) => s.phase === phase);
      const results = await Promise.allSettled(now.map(async (s) => s.run()));
      results.forEach((r, i) => {
        if (r.status === 'rejected') {
          ok = false;
          logger.error({ err: r.reason, step: now[i]?.name, phase }, 'shutdown step failed');
        }
      });
    }
    logger.info({ ok }, 'shutdown complete');
    return ok;
  }

  const shutdown: Shutdown = {
    add(phase, name, run) {
      steps.push({ phase, name, run });
    },
    run(reason) {
      running ??= runAll(reason);
      return running;
    },
    get started() {
      return running !== undefined;
    },
    installSignalHandlers(signals = ['SIGINT', 'SIGTERM']) {
      let count = 0;
      let first = 0;
      for (const signal of signals) {
        process.on(signal, () => {
          // `npm start` forwards the signal it gets, and `kill -- -<group>` also reaches us directly:
          // a copy arriving within a moment of the first is the same request, not "force it".
          if (count > 0 && Date.now() - first < DUPLICATE_SIGNAL_MS) return;
          if (count === 0) first = Date.now();
          if (++count > 1) {
            logger.warn({ signal }, 'second signal: exiting now; unfinished jobs stay in Redis');
            exit(1);
            return;
          }
          void shutdown.run(signal).then((ok) => exit(ok ? 0 : 1));
        });
      }
    },
  };
  return shutdown;
}

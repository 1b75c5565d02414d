import { type FSWatcher, watch } from 'node:fs';
import type { ContentProblem } from '../content/errors.js';
import type { OpsLogger } from './server.js';

/** What the reloader needs from the content store (src/content/store.ts). */
export interface ReloadableContent {
  reload(): Promise<unknown>;
}

export interface ContentReloaderOptions {
  readonly store: ReloadableContent;
  readonly logger: OpsLogger;
  /** Watch this directory and reload after edits settle; omit to reload only on request (SIGHUP). */
  readonly watchDir?: string;
  /** Editors write a file in several steps; wait this long after the last change. */
  readonly debounceMs?: number;
}

export interface ContentReloader {
  /**
   * Loads the content again. Resolves `true` when the new content is in use, `false` when it
   * was rejected (the problems are logged with file:line and the old content stays). Never throws.
   */
  reload(reason: string): Promise<boolean>;
  /** The last load: in use, or refused with its problems (`file:line: message`). */
  status(): ReloadStatus;
  /** Stops watching. */
  close(): void;
}

export interface ReloadStatus {
  readonly ok: boolean;
  readonly at?: Date;
  readonly reason?: string;
  readonly problems: readonly string[];
}

/**
 * Reloads content without a restart, on request (main.ts calls it on SIGHUP) and, with
 * `watchDir`, after files there change. Reloads never overlap: a change during a reload
 * triggers one more reload after it.
 */
export function createContentReloader(options: ContentReloaderOptions): ContentReloader {
  const { store, logger } = options;
  const debounceMs = options.debounceMs ?? 500;
  let running: Promise<boolean> | undefined;
  let again: { reason: string; promise: Promise<boolean> } | undefined;
  let last: ReloadStatus = { ok: true, problems: [] };

  async function once(reason: string): Promise<boolean> {
    try {
      await store.reload();
      logger.info({ reason }, 'content reloaded');
      last = { ok: true, at: new Date(), reason, problems: [] };
      return true;
    } catch (err) {
      const problems = (err as { problems?: readonly ContentProblem[] }).problems;
      const lines = Array.isArray(problems)
        ? problems.map((p) => `${p.file}:${p.line}: ${p.message}`)
        : [err instanceof Error ? err.message : String(err)];
      logger.error(
        { reason, problems: lines },
        'content reload rejected; still serving the previous content',
      );
      last = { ok: false, at: new Date(), reason, problems: lines };
      return false;
    }
  }

  function reload(reason: string): Promise<boolean> {
    if (!running) {
      running = once(reason).finally(() => {
        running = undefined;
      });
      return running;
    }
    // One reload is running: queue exactly one more to pick up whatever changed meanwhile.
    again ??= {
      reason,
      promise: running.then(() => {
        again = undefined;
        return reload(reason);
      }),
    };
    return again.promise;
  }

  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  if (options.watchDir) {
    watcher = watch(options.watchDir, (_event, file) => {
      clearTimeout(timer);
      timer = setTimeout(() => void reload(`changed: ${file ?? options.watchDir}`), debounceMs);
    });
    watcher.on('error', (err) => logger.warn({ err }, 'content watch failed; reload with SIGHUP instead'));
  }

  return {
    reload,
    status: () => last,
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}

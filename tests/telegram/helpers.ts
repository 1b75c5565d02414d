import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TelegramWebhook } from '../../src/adapters/telegram/index.js';
import type { TelegramLogger } from '../../src/adapters/telegram/types.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { createOpsServer, type OpsServer } from '../../src/ops/server.js';

/** A free loopback port (closed again before it is returned). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** Serves the adapter's webhook the way main.ts does: mounted on the operations server, on `port`. */
export async function serveWebhook(
  port: number,
  webhook: TelegramWebhook,
  logger: TelegramLogger,
  /** Whether requests carry Telegram's secret header (the emulator does not send it itself). */
  { sendSecret = true }: { sendSecret?: boolean } = {},
): Promise<OpsServer> {
  const ops = createOpsServer({
    port,
    host: '127.0.0.1',
    logger,
    metrics: createMetrics({ defaultMetrics: false }),
    readiness: () => [],
    webhook: {
      path: webhook.path,
      // The emulator stands in for Telegram but does not send the secret header that Telegram would.
      handler: (req, res) => {
        if (sendSecret) req.headers['x-telegram-bot-api-secret-token'] ??= webhook.secretToken;
        return webhook.handler(req, res);
      },
    },
  });
  await ops.listen();
  return ops;
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object;
  msg?: string;
}

/** A logger that keeps its lines, so tests can say "no errors were logged". */
export function memoryLogger(): TelegramLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (obj: object, msg?: string) => {
    lines.push({ level, obj, ...(msg === undefined ? {} : { msg }) });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface ApiCall {
  method: string;
  payload: Record<string, unknown>;
}

type Answer = { status?: number; body: Record<string, unknown> };

/**
 * A scripted Bot API server on loopback, for answers the emulator cannot give (429, 403, admins).
 * `answer(method, payload)` returns the JSON body; unknown methods answer ok with `true`.
 */
export async function startScriptedBotApi(
  answer: (method: string, payload: Record<string, unknown>) => Answer | undefined,
): Promise<{ url: string; calls: ApiCall[]; close(): Promise<void> }> {
  const calls: ApiCall[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      const method = (req.url ?? '').split('/').pop() ?? '';
      const payload = body ? (JSON.parse(body) as Record<string, unknown>) : {};
      calls.push({ method, payload });
      const scripted =
        answer(method, payload) ??
        (method === 'getMe'
          ? {
              body: {
                ok: true,
                result: { id: 777, is_bot: true, first_name: 'Fibro', username: 'FibroTestBot' },
              },
            }
          : method === 'sendMessage'
            ? {
                body: {
                  ok: true,
                  result: {
                    message_id: calls.length,
                    date: 0,
                    chat: { id: payload.chat_id, type: 'private' },
                    text: payload.text,
                  },
                },
              }
            : method === 'getUpdates'
              ? { body: { ok: true, result: [] } }
              : { body: { ok: true, result: true } });
      res
        .writeHead(scripted.status ?? 200, { 'content-type': 'application/json' })
        .end(JSON.stringify(scripted.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

/** Telegram's HTML back to the text a member reads (for comparing with content). */
export const htmlToText = (html: string) =>
  html
    .replace(/<\/?(b|i|code)>/g, '')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

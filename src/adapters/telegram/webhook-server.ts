import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { TelegramLogger } from './types.js';

/**
 * A minimal HTTP server for the Telegram webhook alone, for when no operations server mounts it:
 * POST on `path` goes to the handler, everything else is 404.
 */
export async function serveWebhook(options: {
  readonly port: number;
  readonly host: string;
  readonly path: string;
  readonly handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  readonly logger: TelegramLogger;
}): Promise<{ readonly port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method !== 'POST' || path !== options.path) {
      res.writeHead(404).end();
      return;
    }
    options.handler(req, res).catch((err: unknown) => {
      options.logger.error(
        { err: err instanceof Error ? err.message : String(err) },
        'telegram: webhook request failed',
      );
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

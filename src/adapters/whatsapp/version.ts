import { fetchLatestBaileysVersion } from '@whiskeysockets/baileys';
import type { ILogger } from './types.js';

/**
 * The WhatsApp Web version to announce: the one Baileys' maintainers publish now, when it can be
 * fetched within `timeoutMs`; otherwise undefined, and Baileys uses the version it was released
 * with. An outdated version is refused with 405/409, which stops the adapter (see reconnect.ts).
 */
export async function latestWhatsAppVersion(
  logger: ILogger,
  timeoutMs = 5_000,
): Promise<[number, number, number] | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
    timer.unref?.();
  });
  try {
    const found = await Promise.race([fetchLatestBaileysVersion().catch(() => undefined), timeout]);
    if (found?.isLatest) {
      logger.info({ version: found.version.join('.') }, 'whatsapp: using the latest WhatsApp Web version');
      return found.version as [number, number, number];
    }
    logger.info('whatsapp: latest WhatsApp Web version not reachable; using the one Baileys ships with');
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}

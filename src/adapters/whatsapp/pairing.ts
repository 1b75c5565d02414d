/**
 * Linking the bot's number as a device: a QR code to scan or a pairing code to enter, and starting
 * the link over when the phone did not finish it in time. The connection (`lifecycle.ts`) calls
 * into this; nothing here owns a socket.
 */
import type { AuthenticationCreds } from '@whiskeysockets/baileys';
import qrcode from 'qrcode-terminal';
import type { ILogger, WhatsAppSocket } from './types.js';

/**
 * A session counts as linked once WhatsApp completed a login for it: `me.id` is set and the
 * pairing was confirmed (`account` is written by Baileys' `configureSuccessfulPairing`).
 * `registered` is no guide: QR links never set it, and a pairing code request writes `me` early.
 */
export const isLinked = (creds: AuthenticationCreds): boolean => !!creds.me?.id && !!creds.account;

/**
 * A pairing code that was not entered in time leaves `me` (and `pairingCode`) written by
 * `requestPairingCode`: reconnecting with them logs in as a device that was never linked and
 * ends in 401. An unlinked session starts its next attempt clean. True when something was
 * cleared (the caller saves the creds).
 */
export function forgetUnfinishedPairing(creds: AuthenticationCreds, logger: ILogger): boolean {
  if (isLinked(creds)) return false;
  if (!creds.me && !creds.pairingCode) return false;
  creds.me = undefined;
  creds.pairingCode = undefined;
  creds.registered = false;
  logger.info('whatsapp: the device was not linked in time; starting the link again');
  return true;
}

export interface LinkingOptions {
  /** Digits with country code: link by pairing code instead of QR code. */
  readonly pairingNumber?: string;
  readonly onQr: (qr: string) => void;
  readonly onPairingCode: (code: string) => void;
  readonly logger: ILogger;
  /** Sets what `status().detail` says. */
  readonly setDetail: (detail: string) => void;
  /** Whether `s` is still the connection's socket (a late answer for a replaced one is dropped). */
  readonly isCurrent: (s: WhatsAppSocket) => boolean;
}

/** What a socket's QR event turns into: the QR shown, or one pairing code requested per socket. */
export class Linking {
  private pairingRequested = false;

  constructor(private readonly o: LinkingOptions) {}

  /** A new socket: it may request its own pairing code. */
  reset(): void {
    this.pairingRequested = false;
  }

  onQr(s: WhatsAppSocket, qr: string): void {
    const number = this.o.pairingNumber;
    if (number && !isLinked(s.authState.creds)) {
      if (this.pairingRequested) return;
      this.pairingRequested = true;
      this.o.setDetail('requesting a pairing code');
      s.requestPairingCode(number).then(
        (code) => {
          if (!this.o.isCurrent(s)) return;
          const shown = code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
          // The code links the bot's number: it goes to the operator's terminal, never to /readyz.
          this.o.setDetail(
            "waiting for the pairing code (printed in the bot's terminal) to be entered on the phone",
          );
          this.o.onPairingCode(shown);
        },
        (err) => this.o.logger.error({ err }, 'whatsapp: requesting a pairing code failed'),
      );
      return;
    }
    this.o.setDetail('waiting for QR scan');
    this.o.onQr(qr);
  }
}

/** The default `onQr`: the QR code printed to stderr. */
export function printQr(qr: string): void {
  process.stderr.write(
    '\nWhatsApp: scan this QR code with the phone (WhatsApp > Linked devices > Link a device):\n',
  );
  qrcode.generate(qr, { small: true }, (art) => process.stderr.write(`${art}\n`));
}

/** The default `onPairingCode`: the code printed to stderr with where to enter it. */
export function printPairingCode(code: string): void {
  process.stderr.write(
    `\nWhatsApp: on the phone open WhatsApp > Linked devices > Link a device > Link with phone number instead, and enter: ${code}\n\n`,
  );
}

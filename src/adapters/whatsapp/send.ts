import type { WAMessage } from '@whiskeysockets/baileys';
import { DeliveryError } from '../../core/adapter.js';
import type { ChatRef, Reply } from '../../core/types.js';
import { choiceKey } from './inbound.js';
import type { Connection } from './lifecycle.js';
import type { Outbound } from './outbound.js';
import { PacerClosedError } from './pacer.js';

/**
 * The adapter's `send` (scheduled posts, moderator replies): TRANSIENT while disconnected or
 * stopping; a moderator's /reply quotes the member's message.
 */
export async function sendToChat(
  outbound: Outbound,
  connection: Connection,
  chatId: string,
  replies: readonly Reply[],
): Promise<void> {
  if (!connection.connected)
    throw new DeliveryError('TRANSIENT', `WhatsApp is not connected (${connection.status().detail})`);
  const chat: ChatRef = {
    platform: 'whatsapp',
    chatId,
    chatType: chatId.endsWith('@g.us') ? 'group' : 'private',
  };
  // A moderator's /reply quotes the member's message (Baileys quotes by key and content).
  const quote = replies[0]?.quote;
  const quoted = quote
    ? ({
        key: {
          remoteJid: chatId,
          id: quote.messageId,
          fromMe: false,
          ...(chat.chatType === 'group' && quote.senderId ? { participant: quote.senderId } : {}),
        },
        message: { conversation: quote.text ?? '' },
      } as WAMessage)
    : undefined;
  try {
    await outbound.deliver(chatId, replies, {
      priority: quoted ? 'reply' : 'bulk',
      choicesKey: choiceKey(chat),
      confirm: true,
      ...(quoted ? { quoted } : {}),
    });
  } catch (err) {
    if (err instanceof PacerClosedError)
      throw new DeliveryError('TRANSIENT', 'WhatsApp is stopping', undefined, err);
    throw err;
  }
}

import { proto, type WAMessage, WAMessageStubType } from '@whiskeysockets/baileys';
import { describe, expect, it } from 'vitest';
import { simple } from '../../src/core/replies.js';
import { useTestRedis } from '../helpers/redis-server.js';
import { GROUP } from './fakes.js';
import { setup, stopAdaptersAfterEach } from './harness.js';

const db = useTestRedis();
stopAdaptersAfterEach();

const MEMBER_LID = '246810121416182@lid';
const AT = 1767261600;

/**
 * A message shape built through Baileys' own protobuf encoder: what `fromObject` accepts, `encode`
 * writes and `decode` reads back is what the wire can carry, not what a test author typed.
 */
function wire(shape: Record<string, unknown>, extraKey: Record<string, unknown> = {}): WAMessage {
  const bytes = proto.WebMessageInfo.encode(proto.WebMessageInfo.fromObject(shape)).finish();
  const decoded = proto.WebMessageInfo.decode(bytes) as WAMessage;
  // Baileys adds the alt ids beside the protobuf key (they are not in the proto itself).
  Object.assign(decoded.key, extraKey);
  return decoded;
}

let n = 0;
const key = (remoteJid: string, participant?: string) => ({
  remoteJid,
  fromMe: false,
  id: `3EB0PROTO${String(++n).padStart(8, '0')}`,
  ...(participant ? { participant } : {}),
});

const ignored: [string, () => WAMessage][] = [
  [
    'a message that failed to decrypt (CIPHERTEXT stub)',
    () =>
      wire({
        key: key(MEMBER_LID),
        messageTimestamp: AT,
        messageStubType: WAMessageStubType.CIPHERTEXT,
        messageStubParameters: ['No session found to decrypt message'],
      }),
  ],
  [
    'an edit',
    () =>
      wire({
        key: key(MEMBER_LID),
        messageTimestamp: AT,
        message: {
          editedMessage: {
            message: {
              protocolMessage: {
                type: proto.Message.ProtocolMessage.Type.MESSAGE_EDIT,
                key: key(MEMBER_LID),
                editedMessage: { conversation: 'can b12 cure fibro?' },
              },
            },
          },
        },
      }),
  ],
  [
    'a delete for everyone',
    () =>
      wire({
        key: key(MEMBER_LID),
        messageTimestamp: AT,
        message: {
          protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE, key: key(MEMBER_LID) },
        },
      }),
  ],
  [
    'a reaction',
    () =>
      wire({
        key: key(GROUP, MEMBER_LID),
        messageTimestamp: AT,
        message: {
          reactionMessage: { key: key(GROUP, MEMBER_LID), text: '👍', senderTimestampMs: AT * 1000 },
        },
      }),
  ],
  [
    'a history-sync protocol message',
    () =>
      wire({
        key: key(MEMBER_LID),
        messageTimestamp: AT,
        message: {
          protocolMessage: { type: proto.Message.ProtocolMessage.Type.HISTORY_SYNC_NOTIFICATION },
        },
      }),
  ],
  [
    'a group notification stub arriving as append',
    () =>
      wire({
        key: key(GROUP, MEMBER_LID),
        messageTimestamp: AT,
        messageStubType: WAMessageStubType.GROUP_PARTICIPANT_ADD,
        messageStubParameters: [JSON.stringify({ id: MEMBER_LID })],
      }),
  ],
];

describe('replay of protobuf-built shapes', () => {
  it.each(ignored)('ignores %s (no reply, nothing breaks)', async (_, build) => {
    const { factory, adapter } = await setup({}, {}, { redis: db.redis });
    for (const type of ['notify', 'append'] as const) {
      factory.current.emit('messages.upsert', { messages: [build()], type });
      await adapter.whenIdle();
    }
    expect(factory.current.sent).toEqual([]);
  });

  it('answers the first group message, which carries a sender-key distribution beside the text', async () => {
    const { factory, deliver } = await setup({}, {}, { redis: db.redis });
    await deliver(
      wire({
        key: key(GROUP, MEMBER_LID),
        messageTimestamp: AT,
        message: {
          senderKeyDistributionMessage: {
            groupId: GROUP,
            axolotlSenderKeyDistributionMessage: Buffer.from([51, 10, 16, 1]),
          },
          conversation: 'can b12 cure fibro?',
        },
      }),
    );
    expect(factory.current.sent).toHaveLength(1);
    expect(factory.current.sent[0]!.text).toContain('Can B12 supplements cure fibromyalgia?');
  });

  it('answers a LID message with no phone number, in the LID chat', async () => {
    const { factory, deliver } = await setup({}, {}, { redis: db.redis });
    await deliver(wire({ key: key(MEMBER_LID), messageTimestamp: AT, message: { conversation: '/whoami' } }));
    expect(factory.current.sent).toEqual([
      { jid: MEMBER_LID, text: `id=${MEMBER_LID} alt=undefined moderator=false`, quoted: false },
    ]);
  });

  it('hands a join request without participantPn to the router under the LID', async () => {
    const seen: string[] = [];
    const { factory, adapter } = await setup(
      {},
      {
        onJoinRequest: (incoming) => {
          seen.push(`${incoming.sender.id} ${incoming.sender.altId}`);
          return [simple('welcome', 'Welcome!')];
        },
      },
      { redis: db.redis },
    );
    factory.current.emit('group.join-request', {
      id: GROUP,
      author: MEMBER_LID,
      participant: MEMBER_LID,
      action: 'created',
      method: 'invite_link',
    });
    await adapter.whenIdle();
    expect(seen).toEqual([`${MEMBER_LID} undefined`]);
    expect(factory.current.sent).toEqual([]);
  });
});

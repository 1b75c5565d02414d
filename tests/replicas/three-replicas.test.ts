/**
 * Three bot processes behind one webhook path, on one real Redis: a round-robin proxy hands
 * each update to the next replica, as a load balancer in front of N webhook replicas would.
 * Flood budgets, reading positions, welcome batches and seen joins are shared; killing one
 * replica mid-broadcast loses nothing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatRef, Incoming } from '../../src/core/types.js';
import { useTestRedis } from '../helpers/redis-server.js';
import { freshPrefix, until } from '../scheduling/helpers.js';

interface Out {
  id: number;
  by: string;
  replies: { kind: string; text: string; section?: number; buttons: { label: string; data: string }[] }[];
}
interface Replica {
  name: string;
  child: ChildProcess;
  waiting: Map<number, (o: Out) => void>;
}

const db = useTestRedis();
const prefix = freshPrefix();
const replicas: Replica[] = [];

function startReplica(name: string): Promise<Replica> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/replicas/replica-child.ts', db.server.socket, prefix, name],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const replica: Replica = { name, child, waiting: new Map() };
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const msg = JSON.parse(line) as Out | { ready: string };
      if ('ready' in msg) return resolve(replica);
      replica.waiting.get(msg.id)?.(msg);
      replica.waiting.delete(msg.id);
    });
  });
}

let next = 0;
let seq = 0;
/** The proxy: each update goes to the next live replica. */
function post(incoming: Incoming, to?: Replica): Promise<Out> {
  const live = replicas.filter((r) => r.child.exitCode === null && r.child.signalCode === null);
  const replica = to ?? live[next++ % live.length]!;
  const id = ++seq;
  return new Promise((resolve) => {
    replica.waiting.set(id, resolve);
    replica.child.stdin!.write(`${JSON.stringify({ id, incoming })}\n`);
  });
}

beforeAll(async () => {
  replicas.push(...(await Promise.all(['A', 'B', 'C'].map(startReplica))));
}, 180_000);
afterAll(() => {
  for (const r of replicas) if (r.child.exitCode === null) r.child.kill('SIGKILL');
});

const privateOf = (id: string): ChatRef => ({ platform: 'telegram', chatId: id, chatType: 'private' });
const cmd = (chat: ChatRef, from: string, text: string): Incoming => {
  const [, name, args] = /^\/(\S+)\s*([\s\S]*)$/.exec(text)!;
  return { kind: 'command', chat, sender: { id: from }, command: name!, args: args!, addressed: true };
};

describe('three replicas on one Redis', () => {
  it('hold one flood budget between them', async () => {
    const chat = privateOf('701');
    const outs: Out[] = [];
    for (let i = 0; i < 12; i++) outs.push(await post(cmd(chat, '701', '/rules')));
    const answered = outs.filter((o) => o.replies[0]?.text.includes('Be kind')).length;
    const notes = outs.filter((o) => o.replies[0]?.text.includes('take a short break')).length;
    console.log(
      `three replicas, flood: 12 messages spread over ${new Set(outs.map((o) => o.by)).size} replicas -> ${answered} answered, ${notes} note, ${12 - answered - notes} silent (limit 5)`,
    );
    expect(answered).toBe(5);
    expect(notes).toBe(1);
  }, 60_000);

  it('continue a reader where another replica left off', async () => {
    const chat = privateOf('702');
    const steps = ['/section 2', '/next', '/next', '/prev', '/next'];
    const seen: { by: string; section?: number }[] = [];
    for (const s of steps) {
      const o = await post(cmd(chat, '702', s));
      seen.push({ by: o.by, section: o.replies[0]?.section });
    }
    console.log(`three replicas, navigation: ${seen.map((s) => `${s.section}@${s.by}`).join(' ')}`);
    expect(seen.map((s) => s.section)).toEqual([2, 3, 4, 3, 4]);
    expect(new Set(seen.map((s) => s.by)).size).toBe(3);
  }, 60_000);

  it('welcome each join once, in one message, whichever replicas hear of it', async () => {
    const group: ChatRef = { platform: 'telegram', chatId: '-100777', chatType: 'group' };
    const join = (members: { id: string; name: string }[]): Incoming => ({
      kind: 'member_joined',
      chat: group,
      sender: { id: 'system' },
      members,
    });
    // Ana's join arrives twice (chat_member and the service message) at two replicas; Ben at a third.
    await post(join([{ id: '11', name: 'Ana' }]));
    await post(join([{ id: '11', name: 'Ana' }]));
    await post(join([{ id: '12', name: 'Ben' }]));
    const log = async () =>
      (await db.redis.lrange(`${prefix}:log`, 0, -1))
        .map((l) => JSON.parse(l) as { chatId: string; kind: string; text: string })
        .filter((l) => l.chatId === group.chatId && l.kind === 'welcome');
    await until(async () => (await log()).length > 0, 15_000, 'a welcome');
    await new Promise((r) => setTimeout(r, 3_000));
    const welcomes = await log();
    console.log(`three replicas, joins: 3 reports of 2 joins -> ${welcomes.length} welcome message(s)`);
    expect(welcomes).toHaveLength(1);
    expect(welcomes[0]!.text).toContain('Welcome, Ana and Ben!');
  }, 60_000);

  it('lose nothing when one is killed mid-broadcast', async () => {
    const chats = 300;
    const subs = `${prefix}:s:subs`;
    for (let i = 0; i < chats; i += 100)
      await db.redis.hset(
        subs,
        ...Array.from({ length: 100 }, (_, j) => [`telegram:${9000 + i + j}`, 'private']).flat(),
      );
    const moderator = privateOf('mod');
    const draft = await post(cmd(moderator, 'mod', '/broadcast Meetup moved to Thursday'));
    expect(draft.replies[0]!.text).toMatch(/This goes to 30\d chats/);
    const confirm = draft.replies[0]!.buttons.find((b) => b.label.startsWith('Send'))!;
    const posted = await post({ kind: 'press', data: confirm.data, chat: moderator, sender: { id: 'mod' } });
    expect(posted.replies[0]!.text).toMatch(/Posting #\d+ now/);
    const sent = async () => (await db.redis.hgetall(`${prefix}:sends:broadcast`)) as Record<string, string>;
    await until(async () => Object.keys(await sent()).length >= 60, 60_000, 'the broadcast under way');
    const victim = replicas[1]!;
    victim.child.kill('SIGKILL');
    await new Promise((r) => victim.child.once('exit', r));
    const atKill = Object.keys(await sent()).length;
    await until(
      async () => Object.keys(await sent()).filter((k) => k.startsWith('telegram:9')).length === chats,
      90_000,
      'every chat served',
    );
    await new Promise((r) => setTimeout(r, 2_000));
    const counts = Object.entries(await sent())
      .filter(([k]) => k.startsWith('telegram:9'))
      .map(([, v]) => Number(v));
    const twice = counts.filter((c) => c > 1).length;
    console.log(
      `three replicas, kill mid-broadcast: ${atKill} chats served when replica B was killed; afterwards ${counts.length}/${chats} served, ${twice} twice`,
    );
    expect(counts).toHaveLength(chats);
    // Only the deliveries the killed replica had in flight (its concurrency, 10) can repeat.
    expect(twice).toBeLessThanOrEqual(10);
  }, 180_000);
});

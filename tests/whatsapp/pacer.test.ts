import { describe, expect, it } from 'vitest';
import { Pacer, PacerClosedError, type SendPriority } from '../../src/adapters/whatsapp/pacer.js';
import { FakeClock } from './fakes.js';

function setup(random = () => 0) {
  const clock = new FakeClock(0);
  const pacer = new Pacer({
    chatGapMs: 1_500,
    globalGapMs: 1_000,
    bulkPerMinute: 20,
    clock,
    random,
    jitter: 0.3,
  });
  const log: string[] = [];
  const send = (chat: string, priority: SendPriority) =>
    pacer.acquire(chat, priority).then(() => log.push(`${clock.now()} ${chat} ${priority}`));
  return { clock, pacer, log, send };
}

describe('Pacer', () => {
  it('keeps the per-chat gap between two messages to one chat', async () => {
    const { clock, log, send } = setup();
    void send('a', 'reply');
    void send('a', 'reply');
    void send('a', 'reply');
    await clock.advance(10_000);
    expect(log).toEqual(['0 a reply', '1500 a reply', '3000 a reply']);
  });

  it('keeps the global gap between messages to different chats', async () => {
    const { clock, log, send } = setup();
    void send('a', 'reply');
    void send('b', 'reply');
    void send('c', 'reply');
    await clock.advance(10_000);
    expect(log).toEqual(['0 a reply', '1000 b reply', '2000 c reply']);
  });

  it('spreads bulk sends out (20 a minute: 3 s apart) and lets replies go first', async () => {
    const { clock, log, send } = setup();
    void send('t1', 'bulk');
    void send('t2', 'bulk');
    void send('t3', 'bulk');
    await clock.advance(500);
    void send('member', 'reply');
    await clock.advance(20_000);
    expect(log).toEqual(['0 t1 bulk', '1000 member reply', '3000 t2 bulk', '6000 t3 bulk']);
  });

  it('a bulk send that would delay a waiting reply waits until the reply is out', async () => {
    const { clock, log, send } = setup();
    void send('member', 'reply');
    void send('member', 'reply'); // must wait 1.5 s for its chat
    void send('t1', 'bulk');
    await clock.advance(10_000);
    expect(log).toEqual(['0 member reply', '1500 member reply', '2500 t1 bulk']);
  });

  it('jitter only ever lengthens the gaps', async () => {
    const { clock, log, send } = setup(() => 1);
    void send('a', 'reply');
    void send('a', 'reply');
    void send('b', 'reply');
    await clock.advance(10_000);
    // Global gap 1 s and chat gap 1.5 s, each 30% longer: b at 1.3 s, then a 1.3 s after b.
    expect(log).toEqual(['0 a reply', '1300 b reply', '2600 a reply']);
  });

  it('holds everything after a rate limit', async () => {
    const { clock, pacer, log, send } = setup();
    pacer.pause(30_000);
    void send('a', 'reply');
    await clock.advance(29_999);
    expect(log).toEqual([]);
    await clock.advance(1);
    expect(log).toEqual(['30000 a reply']);
  });

  it('close() rejects what is waiting', async () => {
    const { pacer, send } = setup();
    await send('a', 'reply');
    const waiting = send('a', 'reply');
    pacer.close();
    await expect(waiting).rejects.toBeInstanceOf(PacerClosedError);
    await expect(send('b', 'reply')).rejects.toBeInstanceOf(PacerClosedError);
  });
});

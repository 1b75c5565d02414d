/**
 * The community tip: its job scheduler, which tip a slot gets (every tip once before any repeats),
 * and how a tip reads to members.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Content } from '../core/content.js';
import { disclaimer } from '../core/replies.js';
import { bold, italic, para } from '../core/text.js';
import type { Reply } from '../core/types.js';
import type { PostJobData } from './posts.js';

export const TIPS_SCHEDULER = 'community-tips';

/** The tips scheduler's repeat options: a 6-field cron in the community's time zone. */
export const tipRepeat = (tipsCron: string, timeZone: string) => ({ pattern: tipsCron, tz: timeZone });

/** Installs (or removes, when `tipsCron` is empty) the community tip's scheduler; idempotent. */
export async function installTips(
  posts: Queue<PostJobData>,
  tipsCron: string,
  timeZone: string,
): Promise<void> {
  if (tipsCron) {
    await posts.upsertJobScheduler(TIPS_SCHEDULER, tipRepeat(tipsCron, timeZone), {
      name: 'tip',
      data: { kind: 'tip' },
      opts: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 } },
    });
  } else {
    await posts.removeJobScheduler(TIPS_SCHEDULER);
  }
}

/** Every tip once before any repeats; the choice per slot is made once (Lua, atomic). */
export async function pickTip(
  client: Redis,
  prefix: string,
  slot: number,
  content: Content,
): Promise<string> {
  return (await client.eval(
    PICK_TIP,
    2,
    `${prefix}:tips:used`,
    `${prefix}:tips:slot:${slot}`,
    ...content.tips.map((t) => t.id),
  )) as string;
}

/** A community tip as members see it: the tip, where in the article it comes from, the disclaimer. */
export function tipReply(content: Content, tip: Content['tips'][number]): Reply {
  const section = content.sections[tip.section - 1];
  return {
    kind: 'tip',
    paragraphs: [
      para(bold('Tip of the day')),
      para(tip.text),
      para(italic(`From the article, section "${section?.title ?? tip.section}".`)),
      disclaimer(content),
    ],
    meta: { section: tip.section },
  };
}

// KEYS: used set, slot key. ARGV: tip ids in content order.
const PICK_TIP = `
local chosen = redis.call('GET', KEYS[2])
if chosen then return chosen end
local pick = nil
for i = 1, #ARGV do
  if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 0 then pick = ARGV[i]; break end
end
if not pick then
  redis.call('DEL', KEYS[1])
  pick = ARGV[1]
end
redis.call('SADD', KEYS[1], pick)
redis.call('SET', KEYS[2], pick, 'EX', 2592000)
return pick
`;

import { describe, expect, it } from 'vitest';
import { plainText } from '../../src/core/text.js';
import { schedulingOffCommands } from '../../src/scheduling/index.js';
import { command, realRouter } from '../core/fixtures.js';

describe('scheduling off (no Redis)', () => {
  const reason =
    'the embedded redis-server did not start: redis-server exited with code 1: /var/lib/redis: Permission denied';

  it("a member's /subscribe says tips are off, without the operator's reason", async () => {
    const { router } = await realRouter({ commands: schedulingOffCommands(reason) });
    const [reply] = await router.handle(command('subscribe'));
    expect(plainText(reply!)).toBe(
      'Tips and announcements are off on this bot just now. Questions still work as usual.',
    );
  });

  it('a moderator reads why, to fix it', async () => {
    const { router } = await realRouter({ commands: schedulingOffCommands(reason) });
    const [reply] = await router.handle(
      command('schedule', 'tomorrow hello', { sender: { isLocalOperator: true } }),
    );
    expect(plainText(reply!)).toContain(`Scheduled tips and posts are off on this bot: ${reason}`);
  });
});

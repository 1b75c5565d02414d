import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Two cores: real redis-servers and bot processes per file; keep parallelism modest.
    maxWorkers: 2,
    // Bot processes started by tests never read a developer's own .env (see src/config.ts).
    env: { ENV_FILE: '' },
  },
});

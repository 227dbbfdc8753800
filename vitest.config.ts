import { defineConfig } from 'vitest/config'

// Two projects: `unit` (fast, parallel) and `e2e` (child processes, real servers, compat
// clients, hundreds of thousands of records: one file at a time, so heavy runs never
// compete with timing-sensitive tests). `npm test` runs unit, then e2e.
const E2E = ['test/compat/**/*.test.ts', 'test/**/*.e2e.test.ts']

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: E2E },
      },
      {
        extends: true,
        // One fork for all e2e files: they run one after another (fileParallelism is not a
        // per-project option).
        test: { name: 'e2e', include: E2E, testTimeout: 600_000, hookTimeout: 600_000, poolOptions: { forks: { singleFork: true } } },
      },
    ],
  },
})

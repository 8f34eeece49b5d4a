import { defineConfig } from 'vitest/config'

// End-to-end tests drive the real CLI against the real kernel as root; they
// are slow-ish and share the machine's 2 cores, so files run two at a time.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'plugins/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
    minWorkers: 1,
  },
})

// E2B's own SDK test suite's cases (packages/js-sdk/tests: commands, pty, files, timeout,
// connect), rewritten here against sandboxd: `npx vitest run` with E2B_API_URL,
// E2B_SANDBOX_URL and E2B_API_KEY pointing at a daemon's --e2b-listen.
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['sdk/**/*.test.mjs'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    fileParallelism: false,
    environment: 'node',
    reporters: ['verbose'],
  },
})

import { defineConfig } from 'vitest/config';

// Two projects: fast pure unit tests, and integration tests that share one real Temporal dev server
// (started once by the global setup) and real PostgreSQL.
export default defineConfig({
  test: {
    reporters: ['default', './test/support/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.int.test.ts', 'node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          // Unit tests first: they fail fast and need no services.
          sequence: { groupOrder: 1 },
          include: ['test/**/*.int.test.ts'],
          globalSetup: ['test/support/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Two cores: integration files each run a Worker; keep them from starving each other.
          maxWorkers: 2,
        },
      },
    ],
  },
});

import { defineConfig } from 'vitest/config';
import path from 'node:path';

// Three layers, one runner. Integration and e2e start real services (PostgreSQL, Redis,
// collab-server, Chromium) and run files one at a time: these machines have 2 cores.
const alias = { '@': path.resolve(import.meta.dirname) };

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['{lib,agents,queue,collab-server,app,cli,schema}/**/*.test.ts', 'tests/unit/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts', 'node_modules/**'],
          setupFiles: ['tests/support/fast-check-seed.ts'],
          testTimeout: 30_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['**/*.int.test.ts', 'tests/integration/**/*.test.ts'],
          exclude: ['node_modules/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['**/*.e2e.test.ts', 'tests/e2e/**/*.test.ts'],
          exclude: ['node_modules/**'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});

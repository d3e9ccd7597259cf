import { defineConfig } from 'vitest/config';

// `unit` runs the sources with no bundle and no real sleeps; `integration` spawns dist/index.js
// as the runner does (`npm run test:integration` bundles first); `contract` checks what the
// action assumes of Cloudflare's API against the fake (`npm run contract`: against any API).
export default defineConfig({
  test: {
    setupFiles: ['test/setup/credential-scan.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/integration/**', 'test/contract/**'],
        },
      },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      { extends: true, test: { name: 'contract', include: ['test/contract/**/*.test.ts'] } },
    ],
  },
});

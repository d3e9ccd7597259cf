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
          // One module graph per worker rather than one per file: importing vitest, undici and
          // fast-check again for each of 30 files took more than half of the run (CONTRIBUTING,
          // Tests). The unit tests keep no state in modules between files.
          isolate: false,
        },
      },
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      { extends: true, test: { name: 'contract', include: ['test/contract/**/*.test.ts'] } },
    ],
  },
});

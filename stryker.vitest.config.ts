import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';
import base from './vitest.config.js';

/**
 * vitest.config.ts's `unit` project as a config of its own, for `npm run mutate`: Stryker's
 * vitest runner runs every project of the config it is given, and the `integration` project
 * spawns the bundle, which mutating src/ does not change.
 */
const { projects = [], ...shared } = base.test ?? {};
const unit = projects.find(
  (project): project is TestProjectInlineConfiguration =>
    typeof project === 'object' && 'test' in project && project.test?.name === 'unit',
);
if (!unit) throw new Error('vitest.config.ts has no project named "unit".');

// Each file isolated, as when the scores in CONTRIBUTING.md were measured: a run of the unit
// project without isolation is faster, but has not been compared with them yet.
export default defineConfig({ test: { ...shared, ...unit.test, isolate: true } });

#!/usr/bin/env node
// @ts-check
/**
 * Bundles src/ into dist/ with ncc (`npm run bundle`): dist/index.js, dist/licenses.txt and
 * dist/package.json, which the runner executes as they are committed. Two choices differ from
 * `ncc build`'s defaults, each measured in BENCHMARKS.md:
 *
 * - CommonJS output. The sources are ES modules (and so is the package, since @actions/core and
 *   @actions/github ship only ES modules), but an ES module entry starts Node's ESM loader,
 *   which with what it loads costs 15-20 ms of every start on Node 20 (Node 24 starts it for
 *   every script, so there the choice changes nothing). The bundle holds every module, so it
 *   needs no loader; dist/package.json marks it CommonJS.
 * - One undici module left out. undici's HTTP/1.1 and HTTP/2 clients require its fetch body
 *   code (with FormData, WebIDL and MIME parsing: about 150 KB, a fifth of the bundle) only to
 *   send a FormData body. The Cloudflare client sends JSON text only (src/cloudflare/client.ts
 *   serialises every body with JSON.stringify), so that require is never reached; it stays in
 *   the bundle as a plain require, which would fail loudly if it ever were.
 */
// @ts-expect-error TS7016: ncc ships no type declarations.
import ncc from '@vercel/ncc';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist`;

/** Requests (as written in the requiring module) that are not bundled. */
const externals = { '../web/fetch/body.js': '../web/fetch/body.js' };

const { code, assets } = await ncc(`${root}src/index.ts`, {
  // ncc's build cache (~/.cache/ncc, shared by every checkout and keyed by the entry's path,
  // not by the output format) once gave ES module code for this CommonJS build, in a fresh
  // clone at a path bundled before. Every bundle is built from scratch instead (a few seconds).
  cache: false,
  esm: false,
  externals,
  license: 'licenses.txt',
  quiet: true,
});

// dist/package.json says CommonJS: refuse to write anything that does not compile as a script.
new Script(code, { filename: 'dist/index.js' });

rmSync(out, { recursive: true, force: true });
mkdirSync(out);
writeFileSync(`${out}/index.js`, code);
for (const [name, asset] of Object.entries(assets)) {
  writeFileSync(`${out}/${name}`, asset.source);
}
writeFileSync(`${out}/package.json`, `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);

const kb = (/** @type {number} */ bytes) => `${Math.round(bytes / 1000)} kB`;
console.log(`dist/index.js ${kb(Buffer.byteLength(code))}, CommonJS`);

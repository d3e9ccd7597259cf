#!/usr/bin/env node
// @ts-check
/**
 * Runs the fake Cloudflare API, seeded with the demo account, until SIGINT or SIGTERM.
 *
 *   node test/fake-cloudflare/cli.js [--port N] [--info-file PATH] [--activate-after-ms N]
 *
 * Prints one JSON line to stdout: {"url", "accountId", "storeId", "token", "secrets": {NAME: id}}.
 * With --info-file it also writes that JSON to PATH, atomically (temp file + rename), so a CI
 * step polling for the file never reads half of it. With --activate-after-ms a fresh copy turns
 * from pending to active after N ms (by default it stays pending, the fake's harshest case).
 */
import { renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createFakeCloudflare, seedDemo } from './server.js';

/** @param {string} message */
function usage(message) {
  process.stderr.write(
    `${message}\nusage: node test/fake-cloudflare/cli.js [--port N] [--info-file PATH] [--activate-after-ms N]\n`,
  );
  process.exit(2);
}

/** @type {{ port?: string, 'info-file'?: string, 'activate-after-ms'?: string }} */
let values = {};
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string' },
      'info-file': { type: 'string' },
      'activate-after-ms': { type: 'string' },
    },
    strict: true,
  }));
} catch (error) {
  usage(error instanceof Error ? error.message : String(error));
}

const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`invalid --port: ${values.port}`);

const activate = values['activate-after-ms'];
const activateAfterMs = activate === undefined ? undefined : Number(activate);
if (activateAfterMs !== undefined && !(Number.isInteger(activateAfterMs) && activateAfterMs >= 0)) {
  usage(`invalid --activate-after-ms: ${activate}`);
}

const fake = await createFakeCloudflare({ port, activateAfterMs });
const info = seedDemo(fake);
const line = JSON.stringify(info);

const infoFile = values['info-file'];
if (infoFile) {
  const temporary = `${infoFile}.${process.pid}.tmp`;
  writeFileSync(temporary, `${line}\n`);
  renameSync(temporary, infoFile);
}
process.stdout.write(`${line}\n`);

let stopping = false;
/** @param {NodeJS.Signals} signal */
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  process.stderr.write(`fake-cloudflare: ${signal}, closing\n`);
  await fake.close();
  process.exit(0);
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

// @ts-check
/**
 * `node script/render-summary.js`: makes the README's picture of the job summary from a real
 * demo run. It runs `script/demo.js --summaries`, renders the summary the demo marks as the
 * picture (a three-secret promotion) as GitHub renders Markdown, and screenshots it with
 * headless Chromium into .github/job-summary.png.
 *
 * Needs Debian's chromium (`apt-get install chromium`), or CHROMIUM=/path/to/chrome.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { marked } from 'marked';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const OUTPUT = join(ROOT, '.github', 'job-summary.png');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

if (!existsSync(CHROMIUM)) {
  console.error(`No Chromium at ${CHROMIUM}: apt-get install chromium, or set CHROMIUM.`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'summary-'));
try {
  const summaries = join(work, 'summaries');
  execFileSync(process.execPath, [join(ROOT, 'script', 'demo.js'), '--summaries', summaries], {
    stdio: 'ignore',
  });
  const picture = join(summaries, 'picture.md');
  if (!existsSync(picture)) throw new Error('the demo marked no job summary as the picture');
  const markdown = readFileSync(picture, 'utf8');

  // The look of a job summary on github.com: its Markdown styles, light theme.
  const page = `<!doctype html><html><head><meta charset="utf-8"><style>
    body { margin: 0; background: #f6f8fa; font: 14px/1.5 -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif; color: #1f2328; }
    .card { margin: 16px; padding: 16px 24px 8px; background: #fff; border: 1px solid #d1d9e0; border-radius: 6px; }
    .title { font-weight: 600; font-size: 14px; color: #59636e; margin-bottom: 8px; }
    h2 { font-size: 1.5em; font-weight: 600; padding-bottom: .3em; border-bottom: 1px solid #d1d9e0b3; margin: 8px 0 16px; }
    table { border-collapse: collapse; margin-bottom: 16px; display: block; overflow: auto; }
    th, td { border: 1px solid #d1d9e0; padding: 6px 13px; text-align: left; }
    th { font-weight: 600; } tr:nth-child(2n) { background: #f6f8fa; }
    code { font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: #818b981f; padding: .2em .4em; border-radius: 6px; }
    a { color: #0969da; text-decoration: none; } p { margin: 0 0 16px; }
  </style></head><body><div class="card"><div class="title">secrets-store-duplicate summary</div>
  ${await marked.parse(markdown)}</div></body></html>`;
  const html = join(work, 'summary.html');
  writeFileSync(html, page);

  // The flags this machine's Chromium needs as root and offline (see CONTRIBUTING.md, Set-up).
  execFileSync(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--hide-scrollbars',
      `--user-data-dir=${join(work, 'profile')}`,
      '--window-size=1100,420',
      `--screenshot=${OUTPUT}`,
      `file://${html}`,
    ],
    { stdio: 'ignore' },
  );
  console.log(`Wrote ${OUTPUT} from the demo's promotion of three secrets.`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

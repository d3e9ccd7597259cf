import { describe, expect, it } from 'vitest';
import { KEY, parse, problem } from './parse.js';

describe('parseInputs: scopes', () => {
  it('is undefined when unset (copy the source scopes)', () => {
    expect(parse({ scopes: '' }).scopes).toBeUndefined();
  });

  it.each([
    ['workers', ['workers']],
    ['workers,ai_gateway', ['workers', 'ai_gateway']],
    ['workers, ai_gateway', ['workers', 'ai_gateway']],
    ['workers\nai_gateway', ['workers', 'ai_gateway']],
    ['workers\r\nai_gateway\r\n', ['workers', 'ai_gateway']],
    ['workers,\n  dex\n, access', ['workers', 'dex', 'access']],
    [',workers,,dex,', ['workers', 'dex']],
  ])('splits %j on commas and newlines', (input, expected) => {
    const config = parse({ scopes: input });
    expect(config.scopes).toEqual(expected);
    expect(config.warnings).toEqual([]);
  });

  it('removes duplicates, keeping the first order', () => {
    expect(parse({ scopes: 'dex, workers\ndex,workers,access' }).scopes).toEqual([
      'dex',
      'workers',
      'access',
    ]);
  });

  it('refuses a list with no scope in it', () => {
    for (const input of [',', ', ,', ',\n,', '\n,\n,']) {
      expect(problem({ scopes: input })).toBe(
        'scopes lists no scope: name at least one (e.g. "workers, ai_gateway"), or omit scopes to copy the source\'s.',
      );
    }
  });

  it('refuses white space inside a scope', () => {
    expect(problem({ scopes: 'workers ai_gateway' })).toBe(
      'scopes: "workers ai_gateway" contains white space; separate scopes with commas or newlines.',
    );
    expect(problem({ scopes: 'dex,work\ters' })).toBe(
      'scopes: "work\\ters" contains white space; separate scopes with commas or newlines.',
    );
  });

  it('passes an unknown scope through with a warning that suggests the nearest', () => {
    const config = parse({ scopes: 'workers, worker' });
    expect(config.scopes).toEqual(['workers', 'worker']);
    expect(config.warnings).toEqual([
      'scopes: "worker" (did you mean "workers"?) is not a known scope; passing it to Cloudflare as given. ' +
        'Known scopes: workers, ai_gateway, dex, access, containers, websearch.',
    ]);
  });

  it('lists the unknown-scope warning after the credentials warning', () => {
    const config = parse({ scopes: 'ai-gateway', 'api-key': KEY });
    expect(config.warnings).toHaveLength(2);
    expect(config.warnings[0]).toMatch(/^api-token and api-email\/api-key are both set/);
    expect(config.warnings[1]).toMatch(/^scopes: "ai-gateway" \(did you mean "ai_gateway"\?\)/);
  });
});

describe('parseInputs: if-exists', () => {
  it('defaults to fail and accepts fail, skip and replace', () => {
    expect(parse({ 'if-exists': '' }).ifExists).toBe('fail');
    expect(parse({ 'if-exists': 'fail' }).ifExists).toBe('fail');
    expect(parse({ 'if-exists': 'skip' }).ifExists).toBe('skip');
    expect(parse({ 'if-exists': 'replace' }).ifExists).toBe('replace');
  });

  it('accepts replace with rollback-on-failure: a rollback restores replaced targets', () => {
    const config = parse({ 'if-exists': 'replace', 'rollback-on-failure': 'true' });
    expect([config.ifExists, config.rollbackOnFailure]).toEqual(['replace', true]);
  });

  it('reads keep-previous, false unless set', () => {
    expect(parse({}).keepPrevious).toBe(false);
    expect(parse({ 'keep-previous': 'true' }).keepPrevious).toBe(true);
    expect(problem({ 'keep-previous': 'maybe' })).toMatch(/^keep-previous/);
  });

  it.each(['Skip', 'FAIL', 'overwrite', 'ignore', 'true'])('refuses %s', (value) => {
    expect(problem({ 'if-exists': value })).toBe(
      `if-exists must be "fail", "skip" or "replace" (got ${JSON.stringify(value)}).`,
    );
  });
});

describe('parseInputs: wait-for-active', () => {
  it('defaults to false and reads the YAML booleans', () => {
    expect(parse().waitForActive).toBe(false);
    expect(parse({ 'wait-for-active': 'true' }).waitForActive).toBe(true);
    expect(parse({ 'wait-for-active': 'FALSE' }).waitForActive).toBe(false);
  });

  it('refuses anything else, naming the input', () => {
    expect(problem({ 'wait-for-active': 'yes' })).toBe(
      'wait-for-active must be a YAML 1.2 boolean: true, True, TRUE, false, False or FALSE (got "yes").',
    );
  });
});

describe('parseInputs: prune and prune-keep', () => {
  it('has no pattern and keeps 5 by default', () => {
    expect(parse()).toMatchObject({ prune: undefined, pruneKeep: 5 });
  });

  it('takes a glob and a count from 1 to 100', () => {
    expect(parse({ prune: 'API_KEY_V*', 'prune-keep': '1' })).toMatchObject({
      prune: 'API_KEY_V*',
      pruneKeep: 1,
    });
    expect(parse({ prune: '?X', 'prune-keep': '100' }).pruneKeep).toBe(100);
  });

  it.each(['*', '?', '**', '*?*', '???'])('refuses %s, which would match every secret', (value) => {
    expect(problem({ prune: value })).toBe(
      `prune ${JSON.stringify(value)} has no character other than * and ?, so it would match every secret in the store. ` +
        'Give the part of the names that the copies share, e.g. API_KEY_*.',
    );
  });

  it('refuses white space inside a pattern', () => {
    expect(problem({ prune: 'API_* DB_*' })).toBe(
      'prune must not contain white space (got "API_* DB_*"): secret names cannot, so it would match nothing.',
    );
  });

  it.each(['0', '101', '-1', '2.5', 'five'])('refuses prune-keep %s', (value) => {
    expect(problem({ 'prune-keep': value })).toBe(
      `prune-keep must be a whole number from 1 to 100 (got ${JSON.stringify(value)}).`,
    );
  });
});

describe('parseInputs: dry-run', () => {
  it.each(['true', 'True', 'TRUE'])('reads %s as true', (value) => {
    expect(parse({ 'dry-run': value }).dryRun).toBe(true);
  });

  it.each(['false', 'False', 'FALSE', ''])('reads %j as false', (value) => {
    expect(parse({ 'dry-run': value }).dryRun).toBe(false);
  });

  it.each(['yes', 'on', '1', 'no', 'off', '0', 'y', 'tRUE', 'fALSE', 'truee'])(
    'refuses %s, which is not a YAML 1.2 boolean',
    (value) => {
      expect(problem({ 'dry-run': value })).toBe(
        `dry-run must be a YAML 1.2 boolean: true, True, TRUE, false, False or FALSE (got ${JSON.stringify(value)}).`,
      );
    },
  );
});

describe('parseInputs: max-retries and timeout-seconds', () => {
  it('reads max-retries from 0 to 10', () => {
    expect(parse({ 'max-retries': '0' }).maxRetries).toBe(0);
    expect(parse({ 'max-retries': '5' }).maxRetries).toBe(5);
    expect(parse({ 'max-retries': '10' }).maxRetries).toBe(10);
    expect(parse({ 'max-retries': '' }).maxRetries).toBe(3);
  });

  it.each(['11', '-1', '1.5', '3.0', 'three', '1e1', '0x3', '+3', '99999999999999999999'])(
    'refuses max-retries %s',
    (value) => {
      expect(problem({ 'max-retries': value })).toBe(
        `max-retries must be a whole number from 0 to 10 (got ${JSON.stringify(value)}).`,
      );
    },
  );

  it('reads timeout-seconds from 1 to 3600', () => {
    expect(parse({ 'timeout-seconds': '1' }).timeoutSeconds).toBe(1);
    expect(parse({ 'timeout-seconds': '3600' }).timeoutSeconds).toBe(3600);
    expect(parse({ 'timeout-seconds': '' }).timeoutSeconds).toBe(120);
  });

  it.each(['0', '3601', '-5', '2.5', '1 0', 'forever'])('refuses timeout-seconds %s', (value) => {
    expect(problem({ 'timeout-seconds': value })).toBe(
      `timeout-seconds must be a whole number from 1 to 3600 (got ${JSON.stringify(value)}).`,
    );
  });
});

describe('invisible characters in scopes', () => {
  it('refuses a scope with a control or bidirectional character: it reaches outputs as given', () => {
    expect(problem({ scopes: 'workers,ai\u202egateway' })).toBe(
      'scopes: "ai\\u202egateway" contains an invisible or control character; type the scope again without it.',
    );
    expect(problem({ scopes: 'work\u0007ers' })).toMatch(/^scopes: "work\\u0007ers" contains/);
  });
});

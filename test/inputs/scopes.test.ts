import { describe, expect, it } from 'vitest';
import {
  KNOWN_SCOPES,
  nearestScope,
  sameScopes,
  unknownScopesWarning,
} from '../../src/inputs/scopes.js';

const KNOWN_LIST = 'Known scopes: workers, ai_gateway, dex, access, containers, websearch.';

describe('KNOWN_SCOPES', () => {
  it('lists the scopes Cloudflare documents, in order', () => {
    expect([...KNOWN_SCOPES]).toEqual([
      'workers',
      'ai_gateway',
      'dex',
      'access',
      'containers',
      'websearch',
    ]);
  });
});

describe('nearestScope', () => {
  it.each(KNOWN_SCOPES.map((scope) => [scope]))('returns a known scope %s itself', (scope) => {
    expect(nearestScope(scope)).toBe(scope);
  });

  it.each([
    ['worker', 'workers'],
    ['dexx', 'dex'],
    ['acess', 'access'],
    ['container', 'containers'],
    ['web_search', 'websearch'],
    ['aigateway', 'ai_gateway'],
  ])('suggests the closest known scope for a typo: %s -> %s', (typo, expected) => {
    expect(nearestScope(typo)).toBe(expected);
  });

  it('ignores case and reads hyphens as underscores', () => {
    expect(nearestScope('AI-Gateway')).toBe('ai_gateway');
    expect(nearestScope('ai-gateway')).toBe('ai_gateway');
    expect(nearestScope('WORKERS')).toBe('workers');
    expect(nearestScope('WebSearch')).toBe('websearch');
  });

  it('breaks ties by the order of KNOWN_SCOPES', () => {
    // 'zzzzzzz' is 7 edits from workers, dex and access: workers comes first.
    expect(nearestScope('zzzzzzz')).toBe('workers');
    // 'ess' is 3 edits from both dex and access: dex comes first.
    expect(nearestScope('ess')).toBe('dex');
  });

  it('returns the shortest known scope for an empty string', () => {
    expect(nearestScope('')).toBe('dex');
  });
});

describe('unknownScopesWarning', () => {
  it('is undefined when every scope is known', () => {
    expect(unknownScopesWarning(['workers', 'ai_gateway'])).toBeUndefined();
    expect(unknownScopesWarning([...KNOWN_SCOPES])).toBeUndefined();
    expect(unknownScopesWarning([])).toBeUndefined();
  });

  it('names one unknown scope, suggests the nearest and lists every known scope', () => {
    expect(unknownScopesWarning(['workers', 'worker'])).toBe(
      'scopes: "worker" (did you mean "workers"?) is not a known scope; ' +
        `passing it to Cloudflare as given. ${KNOWN_LIST}`,
    );
  });

  it('names several unknown scopes in their order, each with its suggestion', () => {
    expect(unknownScopesWarning(['acess', 'dex', 'AI-Gateway'])).toBe(
      'scopes: "acess" (did you mean "access"?), "AI-Gateway" (did you mean "ai_gateway"?) ' +
        `are not known scopes; passing them to Cloudflare as given. ${KNOWN_LIST}`,
    );
  });

  it('is case-sensitive: Workers is not the known scope workers', () => {
    expect(unknownScopesWarning(['Workers'])).toBe(
      'scopes: "Workers" (did you mean "workers"?) is not a known scope; ' +
        `passing it to Cloudflare as given. ${KNOWN_LIST}`,
    );
  });
});

describe('sameScopes', () => {
  it('is true for the same scopes in any order', () => {
    expect(sameScopes(['workers', 'dex'], ['dex', 'workers'])).toBe(true);
    expect(sameScopes(['access'], ['access'])).toBe(true);
  });

  it('is true for two empty lists', () => {
    expect(sameScopes([], [])).toBe(true);
  });

  it('ignores duplicates', () => {
    expect(sameScopes(['workers', 'workers', 'dex'], ['dex', 'workers'])).toBe(true);
    expect(sameScopes(['dex'], ['dex', 'dex'])).toBe(true);
  });

  it('is false when one list has a scope the other lacks', () => {
    expect(sameScopes(['workers'], ['workers', 'dex'])).toBe(false);
    expect(sameScopes(['workers', 'dex'], ['workers'])).toBe(false);
    expect(sameScopes(['workers'], [])).toBe(false);
    expect(sameScopes([], ['workers'])).toBe(false);
  });

  it('is false for different scopes of the same count', () => {
    expect(sameScopes(['workers', 'dex'], ['workers', 'access'])).toBe(false);
  });

  it('compares exactly, case included', () => {
    expect(sameScopes(['workers'], ['Workers'])).toBe(false);
  });

  it('does not reorder the lists it is given', () => {
    const a = ['workers', 'dex'];
    const b = ['dex', 'workers'];
    sameScopes(a, b);
    expect(a).toEqual(['workers', 'dex']);
    expect(b).toEqual(['dex', 'workers']);
  });
});

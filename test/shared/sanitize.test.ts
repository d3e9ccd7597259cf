import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clip,
  codeId,
  hasUnprintable,
  MAX_LOG_LINE,
  MAX_LOG_LINES,
  markdownText,
  printable,
  printableLines,
  userinfoParts,
  withoutUserinfo,
} from '../../src/shared/sanitize.js';

/** What the runner would take for a workflow command in one printed line. */
const startsCommand = (line: string) => /^\s*::/.test(line) || line.includes('##[');

describe('printable', () => {
  it('escapes line breaks so a value cannot start a workflow command', () => {
    expect(printable('Store: "a\n::warning::forged\r\n::add-mask::x"')).toBe(
      'Store: "a\\n::warning::forged\\r\\n::add-mask::x"',
    );
  });

  it('escapes every other control character, Unicode line separators and NEL', () => {
    expect(printable('a\u0000b\u001bc\u007fd\u0085e\u2028f\u2029g\tz')).toBe(
      'a\\u0000b\\u001bc\\u007fd\\u0085e\\u2028f\\u2029g\\tz',
    );
  });

  it('shows bidirectional controls and invisible characters instead of applying them', () => {
    expect(printable('API\u200bKEY \u202eevil\u202c \u2066x\u2069 \ufeff\u{e0041}')).toBe(
      'API\\u200bKEY \\u202eevil\\u202c \\u2066x\\u2069 \\ufeff\\u{e0041}',
    );
  });

  it("breaks up the runner's legacy ##[command] form, which it reads anywhere in a line", () => {
    const line = printable('name ##[set-output name=secret-id;]forged ##[add-mask]x');
    expect(line).toBe('name ##\\[set-output name=secret-id;]forged ##\\[add-mask]x');
    expect(line).not.toContain('##[');
  });

  it('never starts with ::, even when the text does', () => {
    expect(printable('::warning::x')).toBe('\\::warning::x');
    expect(printable('  ::error::x')).toBe('\\  ::error::x');
  });

  it('leaves ordinary text, Unicode letters and emoji alone', () => {
    const text = 'Created secret "DB_URL_PROD" (0123456789abcdef0123456789abcdef): café 🔑 déjà';
    expect(printable(text)).toBe(text);
  });

  it('cuts a long line, saying how much was cut', () => {
    const line = printable('x'.repeat(10_000_000));
    expect(line.length).toBeLessThan(MAX_LOG_LINE + 50);
    expect(line).toMatch(/x… \[9,996,000 more characters cut\]$/);
  });

  it('no string can produce a line that starts a command or breaks the line (property)', () => {
    const anyText = fc.string({ unit: 'binary', maxLength: 200 });
    const pieces = ['\n', '\r', '::', '##[', '\u2028', '\u0085', 'a', ' '];
    const hostile = fc.array(fc.constantFrom(...pieces)).map((parts) => parts.join(''));
    fc.assert(
      fc.property(fc.oneof(anyText, hostile), (text) => {
        const line = printable(text);
        expect(line).not.toMatch(/[\r\n\u2028\u2029\u0085]/);
        expect(startsCommand(line)).toBe(false);
      }),
    );
  });
});

describe('printableLines', () => {
  it('keeps the lines of a message apart and escapes what is inside each', () => {
    expect(printableLines(['2 of 2 copies failed:', '- line 1: a\n::error::b'])).toBe(
      '2 of 2 copies failed:\n- line 1: a\\n::error::b',
    );
  });

  it('prints at most MAX_LOG_LINES lines and counts the rest', () => {
    const lines = Array.from({ length: MAX_LOG_LINES + 5 }, (_, i) => `- line ${i + 1}`);
    const printed = printableLines(lines).split('\n');
    expect(printed).toHaveLength(MAX_LOG_LINES + 1);
    expect(printed.at(-1)).toBe('… and 5 more lines (the results output has them all).');
  });

  // Mutant: `lines.length > MAX_LOG_LINES` as `>=`.
  it('prints exactly MAX_LOG_LINES lines in full, with no count after them', () => {
    const lines = Array.from({ length: MAX_LOG_LINES }, (_, i) => `- line ${i + 1}`);
    expect(printableLines(lines)).toBe(lines.join('\n'));
  });
});

describe('clip', () => {
  it('keeps short text as it is', () => {
    expect(clip('abc', 3)).toBe('abc');
  });

  it('never splits a surrogate pair', () => {
    expect(clip('ab🔑cd', 3)).toBe('ab… [4 more characters cut]');
  });

  // Mutant: the high-surrogate test on the whole `text` instead of the last character kept.
  it('cuts at max when a surrogate pair lies before the cut, not across it', () => {
    expect(clip('🔑abcdef', 4)).toBe('🔑ab… [4 more characters cut]');
  });
});

describe('hasUnprintable', () => {
  it('finds control, bidirectional and zero-width characters, and nothing else', () => {
    for (const char of ['\n', '\u0007', '\u200b', '\u200d', '\u202e', '\u2067', '\ufeff']) {
      expect(hasUnprintable(`A${char}B`)).toBe(true);
    }
    expect(hasUnprintable('API_KEY-é🔑')).toBe(false);
  });
});

describe('markdownText', () => {
  // Mutant: the entity for `"` emptied.
  it('shows quotes and angle brackets as HTML entities, not as markup', () => {
    expect(markdownText('say "hi" <b>&</b>')).toBe('say &quot;hi&quot; &lt;b&gt;&amp;&lt;/b&gt;');
  });
});

describe('codeId', () => {
  it('puts a checked id in a code span', () => {
    expect(codeId('0123456789abcdef0123456789abcdef')).toBe('`0123456789abcdef0123456789abcdef`');
  });

  it('shows anything else as escaped text, never as code', () => {
    expect(codeId('`x`<b>')).toBe('\\`x\\`&lt;b&gt;');
  });

  // Mutant: ID without its `^` or its `$`.
  it('takes only exactly 32 hex digits for an id, with nothing before or after', () => {
    const id = '0123456789abcdef0123456789abcdef';
    expect(codeId(`${id}\``)).toBe(`${id}\\\``);
    expect(codeId(`\`${id}`)).toBe(`\\\`${id}`);
  });
});

describe('withoutUserinfo and userinfoParts', () => {
  it('takes out user and password, even from a URL that does not parse', () => {
    expect(withoutUserinfo('http://user:pass@[::1')).toBe('http://***@[::1');
    expect(withoutUserinfo('https://u:p%40ss@host:99999/x')).toBe('https://***@host:99999/x');
    expect(withoutUserinfo('user:pass@proxy:3128')).toBe('***@proxy:3128');
    expect(withoutUserinfo('https://host/v4')).toBe('https://host/v4');
  });

  // Mutant: the scheme's regex without its `^`.
  it('reads a scheme only at the start, not from another URL further on', () => {
    expect(withoutUserinfo('user:pass@proxy:3128/?to=http://x')).toBe(
      '***@proxy:3128/?to=http://x',
    );
    expect(userinfoParts('user:pass@proxy:3128/?to=http://x')).toEqual([
      'user:pass',
      'user',
      'pass',
    ]);
  });

  // Mutant: `at < 0` as `at <= 0`.
  it('hides an empty userinfo too, with or without a scheme', () => {
    expect(withoutUserinfo('@proxy:3128')).toBe('***@proxy:3128');
    expect(withoutUserinfo('http://@proxy:3128')).toBe('http://***@proxy:3128');
    expect(userinfoParts('http://@proxy:3128')).toEqual([]);
  });

  it('gives user, password and their decoded forms, to be masked', () => {
    expect(userinfoParts('http://proxy-user:p%40ss@[::1')).toEqual([
      'proxy-user:p%40ss',
      'proxy-user',
      'p%40ss',
      'p@ss',
    ]);
    expect(userinfoParts('user:secret/with/slashes@proxy:3128')).toContain('secret/with/slashes');
    expect(userinfoParts('http://proxy:3128')).toEqual([]);
  });

  // Mutant: `[userinfo]` as `[]`, and `colon < 0` as false.
  it('takes a userinfo without a colon for a user name, decoded too', () => {
    expect(userinfoParts('http://t%C3%B6ken@proxy:3128')).toEqual(['t%C3%B6ken', 'töken']);
  });

  // Mutant: `colon < 0` as `colon <= 0`, and the filter of empty parts removed.
  it('takes a userinfo that starts with a colon for an empty user and a password', () => {
    expect(userinfoParts('http://:s%65cret@proxy:3128')).toEqual([
      ':s%65cret',
      's%65cret',
      'secret',
    ]);
  });

  // Mutant: decodeOrSelf's catch emptied.
  it('keeps a part that does not decode as it is', () => {
    expect(userinfoParts('http://user:100%@proxy:3128')).toEqual(['user:100%', 'user', '100%']);
  });
});

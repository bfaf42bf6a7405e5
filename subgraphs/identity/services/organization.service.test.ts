import { SLUG_PATTERN, slugify } from './organization.service';

describe('slugify', () => {
  it.each([
    ['Acme Corp.', 'acme-corp'],
    ['Café Münster', 'cafe-munster'],
    ['  Hello,   World!  ', 'hello-world'],
    ['ACME 2024', 'acme-2024'],
    ['Ωmega Labs', 'mega-labs'],
  ])('turns %j into %j', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });

  it.each(['...', '!!! ???', '', '   ', '東京'])('falls back to "org" for %j, which has no letters or digits to keep', (name) => {
    expect(slugify(name)).toBe('org');
  });

  it('cuts long names to at most 50 characters', () => {
    expect(slugify(`${'a'.repeat(48)} b ${'c'.repeat(30)}`)).toBe(`${'a'.repeat(48)}-b`);
    expect(slugify('word '.repeat(40)).length).toBeLessThanOrEqual(50);
  });

  it('leaves no trailing hyphen where the cut falls on a word break', () => {
    // The 50th character of "xxx…x-yz" is the hyphen: the cut must drop it.
    expect(slugify(`${'x'.repeat(49)} yz`)).toBe('x'.repeat(49));
    expect(slugify('word '.repeat(40))).toBe(`${'word-'.repeat(9)}word`);
  });

  it.each([
    'Acme Corp.',
    'Café Münster',
    '...',
    '-leading and trailing-',
    'x'.repeat(49) + ' yz',
    'word '.repeat(40),
    'Ünïcödé—Dashes–and_underscores',
    'a',
    '9 Lives',
  ])('gives a slug that matches SLUG_PATTERN for %j', (name) => {
    expect(slugify(name)).toMatch(SLUG_PATTERN);
  });
});

describe('SLUG_PATTERN', () => {
  it.each(['acme', 'acme-corp', 'a', '9', 'a1-b2', 'a'.repeat(63)])('accepts %j', (slug) => {
    expect(slug).toMatch(SLUG_PATTERN);
  });

  it.each(['', '-acme', 'acme-', 'Acme', 'acme_corp', 'acme corp', 'a'.repeat(64)])('rejects %j', (slug) => {
    expect(slug).not.toMatch(SLUG_PATTERN);
  });
});

import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts members by UTF-16 code units and writes numbers as ECMAScript does (the RFC 8785 §3.2.3 example keys)', () => {
    // Appendix-style keys: "\u20ac" (€), "\r", "\ud83d\ude00" (😀), "1", "\u0080", "\u00f6" (ö).
    const value = { '€': 'Euro Sign', '\r': 'Carriage Return', '😀': 'Emoji', '1': 'One', '\u0080': 'Control', ö: 'Latin' };
    expect(canonicalJson(value)).toBe('{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin","€":"Euro Sign","😀":"Emoji"}');
    expect(canonicalJson({ numbers: [333333333.3333333, 1e30, 4.5, 0.002, 1e-27, -0] })).toBe(
      '{"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27,0]}',
    );
  });

  it('is the same for the same value whatever the order members were written in, and parses back to it', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = canonicalJson(value);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        const reversed = JSON.parse(JSON.stringify(value), (_key, member: unknown) =>
          member && typeof member === 'object' && !Array.isArray(member) ? Object.fromEntries(Object.entries(member).reverse()) : member,
        );
        expect(canonicalJson(reversed)).toBe(text);
      }),
    );
  });

  it('refuses NaN and Infinity', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(TypeError);
  });
});

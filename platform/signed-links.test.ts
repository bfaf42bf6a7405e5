import { randomBytes } from 'node:crypto';
import { SignedLinks } from './signed-links';

describe('SignedLinks', () => {
  const links = new SignedLinks<{ runId: string }>(randomBytes(32));
  const inAMinute = () => new Date(Date.now() + 60_000);

  it('opens what it signed, with its expiry', () => {
    const expiresAt = inAMinute();
    const opened = links.open(links.sign({ runId: 'rptrun_1' }, expiresAt));
    expect(opened.claims).toEqual({ runId: 'rptrun_1' });
    expect(opened.expiresAt.getTime()).toBe(Math.floor(expiresAt.getTime() / 1000) * 1000);
  });

  it('refuses an expired link', () => {
    const token = links.sign({ runId: 'rptrun_1' }, inAMinute());
    expect(() => links.open(token, new Date(Date.now() + 120_000))).toThrow('expired');
  });

  it('refuses changed claims, another key, and garbage', () => {
    const token = links.sign({ runId: 'rptrun_1' }, inAMinute());
    const [, signature] = token.split('.');
    const forged = `${Buffer.from(JSON.stringify({ c: { runId: 'rptrun_2' }, e: 9_999_999_999 })).toString('base64url')}.${signature}`;
    expect(() => links.open(forged)).toThrow('not valid');
    expect(() => new SignedLinks(randomBytes(32)).open(token)).toThrow('not valid');
    expect(() => links.open('')).toThrow('not valid');
    expect(() => links.open(`${token}.x`)).toThrow('not valid');
  });
});

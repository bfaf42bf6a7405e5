import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from './config';
import { SecretBox, secretBoxFor } from './secrets';

const key = () => randomBytes(32).toString('base64');

describe('SecretBox', () => {
  const box = new SecretBox(key());

  it.each([
    ['plain text', 'sk_live_abc123'],
    ['unicode', 'Grüße, 東京 🔐'],
    ['an empty string', ''],
  ])('round-trips %s', (_label, text) => {
    const sealed = box.seal(text);

    expect(sealed).toMatch(/^v1\./);
    expect(box.open(sealed)).toBe(text);
  });

  it('seals the same text differently each time', () => {
    const first = box.seal('same text');
    const second = box.seal('same text');

    expect(first).not.toBe(second);
    expect(box.open(first)).toBe('same text');
    expect(box.open(second)).toBe('same text');
  });

  it('refuses a tampered ciphertext', () => {
    const [version, iv, tag, ciphertext] = box.seal('transfer 100 EUR').split('.');
    const bytes = Buffer.from(ciphertext, 'base64url');
    bytes[0] ^= 0x01;
    const tampered = [version, iv, tag, bytes.toString('base64url')].join('.');

    expect(() => box.open(tampered)).toThrow();
  });

  it('refuses a value sealed with another key', () => {
    const sealed = new SecretBox(key()).seal('secret');

    expect(() => box.open(sealed)).toThrow();
  });

  it.each(['', 'not sealed', 'v2.a.b.c', 'v1.onlyiv', 'v1..tag.data'])('refuses the malformed value %j', (value) => {
    expect(() => box.open(value)).toThrow();
  });

  it('refuses a key that is not 32 bytes', () => {
    expect(() => new SecretBox(randomBytes(16).toString('base64'))).toThrow('32-byte key');
  });
});

describe('secretBoxFor', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'auralink-secrets-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('uses the configured SECRETS_KEY without touching the data directory', () => {
    const secretsKey = key();
    const sealed = new SecretBox(secretsKey).seal('configured');

    expect(secretBoxFor(loadConfig({ DATA_DIR: dir, SECRETS_KEY: secretsKey })).open(sealed)).toBe('configured');
    expect(existsSync(path.join(dir, 'secrets.key'))).toBe(false);
  });

  it('outside production, creates <dataDir>/secrets.key with mode 0600 and reuses it', () => {
    const config = loadConfig({ DATA_DIR: dir });
    const file = path.join(dir, 'secrets.key');

    const sealed = secretBoxFor(config).seal('kept across restarts');

    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.from(readFileSync(file, 'utf8').trim(), 'base64')).toHaveLength(32);
    const keyBefore = readFileSync(file, 'utf8');

    expect(secretBoxFor(config).open(sealed)).toBe('kept across restarts');
    expect(readFileSync(file, 'utf8')).toBe(keyBefore);
  });

  it('creates a missing data directory', () => {
    const nested = path.join(dir, 'nested', 'data');

    secretBoxFor(loadConfig({ DATA_DIR: nested }));

    expect(statSync(path.join(nested, 'secrets.key')).mode & 0o777).toBe(0o600);
  });

  it('refuses to run without a key in production', () => {
    const config = { ...loadConfig({ DATA_DIR: dir }), env: 'production' as const };

    expect(() => secretBoxFor(config)).toThrow('SECRETS_KEY is required in production');
    expect(existsSync(path.join(dir, 'secrets.key'))).toBe(false);
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { JWTPayload, JWTVerifyGetKey, KeyLike } from 'jose';
import { ServiceUnavailableError, UnauthenticatedError } from '../errors';
import { bearerToken, createTokenVerifier } from './token-verifier';
import type { TokenVerifier } from './token-verifier';

const ISSUER = 'auralink-identity';
const AUDIENCE = 'auralink-supergraph';
const KID = 'key_test';

let signingKey: KeyLike;
let otherKey: KeyLike;
let keys: JWTVerifyGetKey;
let verify: TokenVerifier;

beforeAll(async () => {
  const pair = await generateKeyPair('EdDSA');
  signingKey = pair.privateKey;
  otherKey = (await generateKeyPair('EdDSA')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: KID, alg: 'EdDSA', use: 'sig' };
  keys = createLocalJWKSet({ keys: [jwk] });
  verify = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'http://unused.invalid/jwks' }, keys);
});

interface TokenOptions {
  claims?: JWTPayload;
  key?: KeyLike;
  issuer?: string;
  audience?: string;
  /** seconds since the epoch */
  expiresAt?: number;
}

function sign({ claims = { org: 'org_1' }, key = signingKey, issuer = ISSUER, audience = AUDIENCE, expiresAt }: TokenOptions = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'EdDSA', kid: KID })
    .setSubject('user_1')
    .setJti('sess_1')
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt(now - 10)
    .setExpirationTime(expiresAt ?? now + 600)
    .sign(key);
}

async function rejection(token: string): Promise<UnauthenticatedError> {
  const error = await verify(token).then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UnauthenticatedError);
  const unauthenticated = error as UnauthenticatedError;
  expect(unauthenticated.extensions.code).toBe('UNAUTHENTICATED');
  return unauthenticated;
}

describe('createTokenVerifier', () => {
  it('turns a good token into a principal', async () => {
    const expiresAt = Math.floor(Date.now() / 1000) + 600;

    await expect(verify(await sign({ expiresAt }))).resolves.toEqual({
      userId: 'user_1',
      organizationId: 'org_1',
      sessionId: 'sess_1',
      expiresAt: new Date(expiresAt * 1000),
    });
  });

  it('rejects an expired token, saying it expired', async () => {
    const error = await rejection(await sign({ expiresAt: Math.floor(Date.now() / 1000) - 60 }));

    expect(error.message).toMatch(/expired/i);
  });

  it('rejects a token signed by another key, blaming the signature', async () => {
    const error = await rejection(await sign({ key: otherKey }));

    expect(error.message).toMatch(/signature/i);
  });

  it('rejects a token for another audience', async () => {
    const error = await rejection(await sign({ audience: 'someone-else' }));

    expect(error.message).toContain('"aud"');
  });

  it('rejects a token from another issuer', async () => {
    const error = await rejection(await sign({ issuer: 'evil-identity' }));

    expect(error.message).toContain('"iss"');
  });

  it('rejects a token without an org claim', async () => {
    const error = await rejection(await sign({ claims: {} }));

    expect(error.message).toContain('"org"');
  });

  it('rejects a token whose org claim is not a string', async () => {
    const error = await rejection(await sign({ claims: { org: 42 } }));

    expect(error.message).toMatch(/malformed/i);
  });

  it('rejects a string that is not a token', async () => {
    const error = await rejection('not-a-jwt');

    expect(error.message).toMatch(/malformed/i);
  });
});

describe('createTokenVerifier when the keys cannot be fetched', () => {
  const remote = (jwksUrl: string) => createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl });

  it('answers SERVICE_UNAVAILABLE, not UNAUTHENTICATED, when nothing answers at the JWKS URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    const error = await remote(`http://127.0.0.1:${port}/.well-known/jwks.json`)(await sign()).catch((reason: unknown) => reason);

    expect(error).toBeInstanceOf(ServiceUnavailableError);
    expect((error as ServiceUnavailableError).extensions.code).toBe('SERVICE_UNAVAILABLE');
    expect((error as ServiceUnavailableError).message).toMatch(/retry shortly/i);
  });

  it('answers SERVICE_UNAVAILABLE when the JWKS endpoint fails, and verifies once it answers', async () => {
    let healthy = false;
    const jwk = { ...(await exportJWK((await generateKeyPair('EdDSA', { extractable: true })).publicKey)), kid: 'other' };
    const server = createServer((_req, res) => {
      res.statusCode = healthy ? 200 : 500;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const check = remote(`http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`);
      await expect(check(await sign())).rejects.toBeInstanceOf(ServiceUnavailableError);

      // Identity is back; the token's key is not among its keys: a token fault, UNAUTHENTICATED.
      healthy = true;
      await expect(check(await sign())).rejects.toBeInstanceOf(UnauthenticatedError);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('bearerToken', () => {
  it('returns undefined when there is no Authorization header', () => {
    expect(bearerToken(undefined)).toBeUndefined();
    expect(bearerToken('')).toBeUndefined();
    expect(bearerToken('   ')).toBeUndefined();
  });

  it('returns the token of a Bearer header', () => {
    expect(bearerToken('Bearer abc')).toBe('abc');
    expect(bearerToken('bearer   abc  ')).toBe('abc');
    expect(bearerToken(['Bearer first', 'Bearer second'])).toBe('first');
  });

  it.each(['Basic x', 'Bearer', 'Bearer a b', 'abc'])('throws UnauthenticatedError for %j', (header) => {
    expect(() => bearerToken(header)).toThrow(UnauthenticatedError);
  });
});

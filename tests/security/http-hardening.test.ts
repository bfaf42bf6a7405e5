/**
 * Issue 9, item 10 (the HTTP part): unknown routes answered Express's HTML page, no
 * security headers were sent, and field suggestions ("Did you mean …") mapped the schema
 * for anyone in production. Every process now answers unknown routes with coded JSON and
 * sends helmet's headers; production hides suggestions; HSTS is sent when configured.
 */
import { execute, expectError } from '../kit/client';
import { connect } from '../kit/subscriptions';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

const origin = (url: string) => new URL(url).origin;

describe('in development', () => {
  let supergraph: TestSupergraph;
  beforeAll(async () => {
    supergraph = await startTestSupergraph();
  });
  afterAll(async () => {
    await supergraph?.stop();
  });
  const processes = () => [supergraph.gatewayUrl, supergraph.subgraphUrls.identity, supergraph.subgraphUrls.billing];

  it('answers an unknown route or method with 404 NOT_FOUND as JSON, in every process', async () => {
    for (const url of processes()) {
      for (const [method, path] of [
        ['GET', '/nope'],
        ['POST', '/admin/../etc'],
        ['DELETE', '/health'],
      ] as const) {
        const response = await fetch(`${origin(url)}${path}`, { method });
        expect(response.status).toBe(404);
        expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
        const body = (await response.json()) as { errors: { message: string; extensions: { code: string } }[] };
        expect(body.errors).toEqual([
          { message: expect.stringMatching(new RegExp(`^No route for ${method} /`)), extensions: { code: 'NOT_FOUND' } },
        ]);
      }
    }
  });

  it('sends the security headers on every kind of answer, and no HSTS unless configured', async () => {
    const answers = [
      await fetch(supergraph.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ plans { code } }"}',
      }),
      await fetch(`${origin(supergraph.gatewayUrl)}/health`),
      await fetch(`${origin(supergraph.gatewayUrl)}/nope`),
      await fetch(supergraph.subgraphUrls.billing, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"query":"{ plans { code } }"}',
      }),
      await fetch(`${origin(supergraph.subgraphUrls.identity)}/.well-known/jwks.json`),
      await fetch(`${origin(supergraph.subgraphUrls.identity)}/ready`),
    ];
    for (const response of answers) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('strict-transport-security')).toBeNull();
      expect(response.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('keeps the explorer page working: no content security policy on it, framed by its own origin only', async () => {
    const response = await fetch(supergraph.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/<html/i);
    expect(response.headers.get('content-security-policy')).toBeNull();
    expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('suggests field names outside production', async () => {
    const exchange = await supergraph.gateway('{ plans { cod } }');
    expect(expectError(exchange, 'BAD_USER_INPUT').message).toMatch(/^Cannot query field "cod" on type "Plan". Did you mean "code"/);
  });
});

describe('in production', () => {
  let supergraph: TestSupergraph;
  beforeAll(async () => {
    supergraph = await startTestSupergraph({ NODE_ENV: 'production', HSTS_MAX_AGE_SECONDS: '31536000' });
  });
  afterAll(async () => {
    await supergraph?.stop();
  });

  it('hides field suggestions, at the gateway and at a subgraph, over HTTP and WebSocket', async () => {
    for (const url of [supergraph.gatewayUrl, supergraph.subgraphUrls.billing]) {
      const exchange = await execute(url, '{ plans { cod } }');
      expect(expectError(exchange, 'BAD_USER_INPUT').message).toBe('Cannot query field "cod" on type "Plan".');

      const socket = connect(url);
      try {
        const result = await socket.subscribe('{ plans { cod } }').next();
        expect(result.errors?.[0]).toMatchObject({
          message: 'Cannot query field "cod" on type "Plan".',
          extensions: { code: 'BAD_USER_INPUT' },
        });
      } finally {
        await socket.dispose();
      }
    }
  });

  it('sends HSTS when configured (behind TLS), and serves no explorer', async () => {
    const response = await fetch(supergraph.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(response.headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(await response.text()).not.toMatch(/<html/i);
  });
});

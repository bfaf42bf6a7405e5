import { ConfigError, loadConfig, SUBGRAPH_NAMES } from './config';

const VALID_SECRETS_KEY = Buffer.alloc(32, 7).toString('base64');
const VALID_SUBGRAPH_SECRET = Buffer.alloc(32, 9).toString('base64');

function configErrorOf(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  it('gives the documented defaults for an empty environment', () => {
    const config = loadConfig({});

    expect(config.env).toBe('development');
    expect(config.logLevel).toBe('info');
    expect(config.host).toBe('127.0.0.1');
    expect(config.dataDir).toBe('.data');
    expect(config.gateway.port).toBe(4000);
    expect(config.secretsKey).toBeUndefined();
    expect(config.database.url).toBeUndefined();
    expect(config.demoData).toBe(true);
    expect(config.auth).toEqual({
      issuer: 'auralink-identity',
      audience: 'auralink-supergraph',
      jwksUrl: 'http://127.0.0.1:4001/.well-known/jwks.json',
      tokenTtlSeconds: 3600,
      publicUrl: 'http://127.0.0.1:4000',
    });
  });

  it('numbers the subgraph ports 4001-4006 in the order identity, authz, audit, billing, compliance, analytics', () => {
    const config = loadConfig({});

    expect(SUBGRAPH_NAMES).toEqual(['identity', 'authz', 'audit', 'billing', 'compliance', 'analytics']);
    expect(Object.keys(config.subgraphs)).toEqual([...SUBGRAPH_NAMES]);
    expect(SUBGRAPH_NAMES.map((name) => config.subgraphs[name].port)).toEqual([4001, 4002, 4003, 4004, 4005, 4006]);
    expect(SUBGRAPH_NAMES.map((name) => config.subgraphs[name].url)).toEqual(
      [4001, 4002, 4003, 4004, 4005, 4006].map((port) => `http://127.0.0.1:${port}/graphql`),
    );
  });

  it('derives the JWKS URL from an explicit identity URL', () => {
    const config = loadConfig({ IDENTITY_URL: 'https://id.example.com/graphql' });

    expect(config.subgraphs.identity.url).toBe('https://id.example.com/graphql');
    expect(config.auth.jwksUrl).toBe('https://id.example.com/.well-known/jwks.json');
  });

  it('reports several bad values at once in one ConfigError, each by variable name', () => {
    const error = configErrorOf({ GATEWAY_PORT: 'abc', LOG_LEVEL: 'loud', SECRETS_KEY: 'short' });

    expect(error.problems).toHaveLength(3);
    for (const variable of ['GATEWAY_PORT', 'LOG_LEVEL', 'SECRETS_KEY']) {
      expect(error.problems.filter((problem) => problem.startsWith(`${variable}:`))).toHaveLength(1);
      expect(error.message).toContain(`- ${variable}:`);
    }
  });

  it('requires DATABASE_URL, SECRETS_KEY and SUBGRAPH_SECRET in production, listing all three', () => {
    const error = configErrorOf({ NODE_ENV: 'production' });

    expect(error.problems).toHaveLength(3);
    expect(error.problems[0]).toMatch(/^DATABASE_URL: required in production/);
    expect(error.problems[1]).toMatch(/^SECRETS_KEY: required in production/);
    expect(error.problems[2]).toMatch(/^SUBGRAPH_SECRET: required in production/);
  });

  it('accepts production when DATABASE_URL, SECRETS_KEY and SUBGRAPH_SECRET are given', () => {
    const config = loadConfig({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db.example.com/auralink',
      SECRETS_KEY: VALID_SECRETS_KEY,
      SUBGRAPH_SECRET: VALID_SUBGRAPH_SECRET,
    });

    expect(config.env).toBe('production');
    expect(config.database.url).toBe('postgres://db.example.com/auralink');
    expect(config.secretsKey).toBe(VALID_SECRETS_KEY);
    expect(config.subgraph.secret).toBe(VALID_SUBGRAPH_SECRET);
  });

  it('has limits that admit the demo and benchmark queries by default, each one settable', () => {
    expect(loadConfig({}).limits).toEqual({
      depth: 10,
      aliases: 30,
      rootFields: 20,
      tokens: 2000,
      directives: 50,
      cost: 20000,
      documentBytes: 65536,
    });
    expect(loadConfig({ QUERY_MAX_DEPTH: '12', QUERY_MAX_COST: '500' }).limits).toMatchObject({ depth: 12, cost: 500 });
  });

  it('refuses a short SUBGRAPH_SECRET, and a representation cap the cost limit could outgrow', () => {
    expect(configErrorOf({ SUBGRAPH_SECRET: 'short' }).problems).toEqual([expect.stringMatching(/^SUBGRAPH_SECRET: must be at least 32/)]);
    expect(configErrorOf({ SUBGRAPH_MAX_REPRESENTATIONS: '100', QUERY_MAX_COST: '1000' }).problems).toEqual([
      expect.stringMatching(/^SUBGRAPH_MAX_REPRESENTATIONS: must be at least half of QUERY_MAX_COST/),
    ]);
  });

  it('loads no demo data in production unless DEMO_DATA asks for it', () => {
    const production = {
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db.example.com/auralink',
      SECRETS_KEY: VALID_SECRETS_KEY,
      SUBGRAPH_SECRET: VALID_SUBGRAPH_SECRET,
    };
    expect(loadConfig(production).demoData).toBe(false);
    expect(loadConfig({ ...production, DEMO_DATA: '' }).demoData).toBe(false);
    expect(loadConfig({ ...production, DEMO_DATA: 'true' }).demoData).toBe(true);
    expect(loadConfig({}).demoData).toBe(true);
    expect(loadConfig({ DEMO_DATA: 'false' }).demoData).toBe(false);
  });

  it("lets an explicit BILLING_URL override billing's url, and only billing's", () => {
    const config = loadConfig({ BILLING_URL: 'http://billing.internal:9000/graphql' });

    expect(config.subgraphs.billing).toEqual({ port: 4004, url: 'http://billing.internal:9000/graphql' });
    expect(config.subgraphs.audit.url).toBe('http://127.0.0.1:4003/graphql');
  });

  it('treats empty-string optional URLs as unset', () => {
    const config = loadConfig({ BILLING_URL: '', IDENTITY_URL: '  ', AUTH_JWKS_URL: '', REDIS_URL: '', DATABASE_URL: '' });

    expect(config.subgraphs.billing.url).toBe('http://127.0.0.1:4004/graphql');
    expect(config.subgraphs.identity.url).toBe('http://127.0.0.1:4001/graphql');
    expect(config.auth.jwksUrl).toBe('http://127.0.0.1:4001/.well-known/jwks.json');
    expect(config.redisUrl).toBeUndefined();
    expect(config.database.url).toBeUndefined();
  });

  it('counts an empty DATABASE_URL as missing in production', () => {
    const error = configErrorOf({
      NODE_ENV: 'production',
      DATABASE_URL: '',
      SECRETS_KEY: VALID_SECRETS_KEY,
      SUBGRAPH_SECRET: VALID_SUBGRAPH_SECRET,
    });

    expect(error.problems).toEqual([expect.stringMatching(/^DATABASE_URL: required in production/)]);
  });

  it('rejects a URL that is not a URL', () => {
    const error = configErrorOf({ BILLING_URL: 'not a url' });

    expect(error.problems).toEqual([expect.stringMatching(/^BILLING_URL: /)]);
  });

  it('treats blank ports and a blank SECRETS_KEY as unset', () => {
    const config = loadConfig({ GATEWAY_PORT: '', IDENTITY_PORT: '  ', SECRETS_KEY: '' });

    expect(config.gateway.port).toBe(4000);
    expect(config.subgraphs.identity).toEqual({ port: 4001, url: 'http://127.0.0.1:4001/graphql' });
    expect(config.secretsKey).toBeUndefined();
  });

  it('reports production requirements together with every other bad value', () => {
    const error = configErrorOf({ NODE_ENV: 'production', GATEWAY_PORT: 'abc' });

    expect(error.problems).toEqual([
      expect.stringMatching(/^GATEWAY_PORT: /),
      expect.stringMatching(/^DATABASE_URL: required in production/),
      expect.stringMatching(/^SECRETS_KEY: required in production/),
      expect.stringMatching(/^SUBGRAPH_SECRET: required in production/),
    ]);
  });

  it('keeps a path prefix of the identity URL in the JWKS URL', () => {
    const config = loadConfig({ IDENTITY_URL: 'https://auth.example.com/identity/graphql' });

    expect(config.auth.jwksUrl).toBe('https://auth.example.com/identity/.well-known/jwks.json');
  });

  it('keeps facts between subgraphs at least as long as a token lives, and never hangs a production relay', () => {
    expect(loadConfig({}).events).toEqual({ streamPrefix: 'auralink:events', retentionMs: 168 * 3600_000, testPause: undefined });
    expect(loadConfig({ OUTBOX_TEST_PAUSE: 'after-publish:identity.member.added' }).events.testPause).toEqual({
      stage: 'after-publish',
      type: 'identity.member.added',
    });
    expect(configErrorOf({ EVENT_RETENTION_HOURS: '12' }).problems.join('\n')).toMatch(/EVENT_RETENTION_HOURS/);
    expect(configErrorOf({ OUTBOX_TEST_PAUSE: 'sometimes' }).problems.join('\n')).toMatch(/OUTBOX_TEST_PAUSE/);
    const production = configErrorOf({
      NODE_ENV: 'production',
      DATABASE_URL: 'postgres://db/auralink',
      SECRETS_KEY: VALID_SECRETS_KEY,
      SUBGRAPH_SECRET: VALID_SECRETS_KEY,
      OUTBOX_TEST_PAUSE: 'before-publish:identity.member.added',
    });
    expect(production.problems).toEqual(['OUTBOX_TEST_PAUSE: a test hook; never set in production']);
  });
});

describe('GATEWAY_WORKERS', () => {
  it('is unset (one worker per core) by default, a whole number from 1 to 64 when given', () => {
    expect(loadConfig({}).gateway.workers).toBeUndefined();
    expect(loadConfig({ GATEWAY_WORKERS: ' ' }).gateway.workers).toBeUndefined();
    expect(loadConfig({ GATEWAY_WORKERS: '3' }).gateway.workers).toBe(3);
    for (const bad of ['0', '65', '1.5', 'many']) {
      expect(configErrorOf({ GATEWAY_WORKERS: bad }).problems).toEqual([expect.stringMatching(/^GATEWAY_WORKERS: /)]);
    }
  });
});

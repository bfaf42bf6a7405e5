import { z } from 'zod';

/** The six subgraphs, in the order they are started and listed. */
export const SUBGRAPH_NAMES = ['identity', 'authz', 'audit', 'billing', 'compliance', 'analytics'] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

const DEFAULT_PORTS: Record<SubgraphName, number> = {
  identity: 4001,
  authz: 4002,
  audit: 4003,
  billing: 4004,
  compliance: 4005,
  analytics: 4006,
};

/** The longest a session token may live (AUTH_TOKEN_TTL_SECONDS, `npm run token -- --ttl`). */
export const MAX_SESSION_TOKEN_TTL_SECONDS = 86_400;

/** An empty value counts as unset, so `PORT=` in an env file falls back to the default. */
const blankAsUnset = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const port = z.preprocess(blankAsUnset, z.coerce.number().int().min(0).max(65535).optional());
const optionalUrl = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .pipe(z.url().optional());
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
/** 32 random bytes, base64: the key that encrypts secrets at rest (AES-256-GCM). */
const secretsKey = z.preprocess(
  blankAsUnset,
  z
    .string()
    .trim()
    .refine((value) => Buffer.from(value, 'base64').length === 32, 'must be 32 bytes encoded as base64 (openssl rand -base64 32)')
    .optional(),
);

/** A whole number of at least `min`, with a default; blank counts as unset. */
const limit = (fallback: number, min = 1) => z.preprocess(blankAsUnset, z.coerce.number().int().min(min).default(fallback));
/** The shared secret the gateway shows subgraphs: long and random (openssl rand -base64 32). */
const subgraphSecret = z.preprocess(
  blankAsUnset,
  z.string().trim().min(32, 'must be at least 32 characters (openssl rand -base64 32)').optional(),
);

const subgraphPortFields = Object.fromEntries(
  SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_PORT`, port.transform((value) => value ?? DEFAULT_PORTS[name])]),
) as Record<`${Uppercase<SubgraphName>}_PORT`, z.ZodPipe<typeof port, z.ZodTransform<number, number | undefined>>>;
const subgraphUrlFields = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [`${name.toUpperCase()}_URL`, optionalUrl.optional()])) as Record<
  `${Uppercase<SubgraphName>}_URL`,
  z.ZodOptional<typeof optionalUrl>
>;

/** A whole number of points per window; 0 is no limit. */
const budget = (fallback: number) => z.preprocess(blankAsUnset, z.coerce.number().int().min(0).default(fallback));
const rateLimitFields = {
  RATE_LIMIT_WINDOW_SECONDS: z.preprocess(blankAsUnset, z.coerce.number().int().min(1).max(86_400).default(60)),
  RATE_LIMIT_ANONYMOUS: budget(120),
  RATE_LIMIT_USER: budget(600),
  RATE_LIMIT_ORGANIZATION: budget(6000),
  RATE_LIMIT_FAILED_AUTH_COST: z.preprocess(blankAsUnset, z.coerce.number().int().min(1).default(10)),
  RATE_LIMIT_TRUSTED_PROXIES: z.preprocess(blankAsUnset, z.coerce.number().int().min(0).max(10).default(0)),
  RATE_LIMIT_KEY_PREFIX: z.preprocess(blankAsUnset, z.string().trim().min(1).default('auralink:ratelimit')),
};
const signInFields = {
  SIGN_IN_FAILURE_WINDOW_SECONDS: z.preprocess(blankAsUnset, z.coerce.number().int().min(60).max(86_400).default(900)),
  SIGN_IN_MAX_FAILURES: z.preprocess(blankAsUnset, z.coerce.number().int().min(1).max(100).default(5)),
  SIGN_IN_LOCKOUT_SECONDS: z.preprocess(blankAsUnset, z.coerce.number().int().min(60).max(86_400).default(900)),
  SIGN_IN_IP_MAX_FAILURES: budget(20),
  MFA_ISSUER: z.preprocess(blankAsUnset, z.string().trim().min(1).max(64).default('AuraLink')),
};

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().trim().min(1).default('127.0.0.1'),
  LISTEN_HOST: z.preprocess(blankAsUnset, z.string().trim().min(1).optional()),
  DATA_DIR: z.string().trim().min(1).default('.data'),
  DATABASE_URL: optionalUrl.optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  EMBEDDED_POSTGRES_PORT: port.transform((value) => value ?? 54329),
  REDIS_URL: optionalUrl.optional(),
  GATEWAY_PORT: port.transform((value) => value ?? 4000),
  GATEWAY_WORKERS: z.preprocess(blankAsUnset, z.coerce.number().int().min(1).max(64).optional()),
  ...subgraphPortFields,
  ...subgraphUrlFields,
  AUTH_ISSUER: z.string().trim().min(1).default('auralink-identity'),
  AUTH_AUDIENCE: z.string().trim().min(1).default('auralink-supergraph'),
  AUTH_JWKS_URL: optionalUrl.optional(),
  AUTH_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(MAX_SESSION_TOKEN_TTL_SECONDS).default(3600),
  AUTH_PUBLIC_URL: optionalUrl.optional(),
  SECRETS_KEY: secretsKey,
  DEMO_DATA: z.preprocess(blankAsUnset, booleanFlag.optional()),
  DEMO_IDP_PORT: port.transform((value) => value ?? 4010),
  AUTHZ_DECISION_LOG: z.preprocess(blankAsUnset, z.enum(['denied', 'all']).default('denied')),
  STRIPE_SECRET_KEY: z.preprocess(blankAsUnset, z.string().min(1).optional()),
  STRIPE_API_URL: optionalUrl.optional(),
  STRIPE_WEBHOOK_SECRET: z.preprocess(blankAsUnset, z.string().min(1).optional()),
  BILLING_TAX_RATE_BPS: z.preprocess(blankAsUnset, z.coerce.number().int().min(0).max(10_000).default(0)),
  ...rateLimitFields,
  ...signInFields,
  AUDIT_PUBLIC_URL: optionalUrl.optional(),
  AUDIT_EXPORT_LINK_TTL_SECONDS: z.preprocess(blankAsUnset, z.coerce.number().int().min(30).max(86_400).default(900)),
  AUDIT_LARGE_EXPORT_ROWS: limit(100_000),
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: z.preprocess(blankAsUnset, z.coerce.number().int().min(1).max(86_400).default(60)),
  AUDIT_DECISION_STREAM: z.preprocess(blankAsUnset, z.string().trim().min(1).default('auralink:authz:decisions')),
  ANALYTICS_PUBLIC_URL: optionalUrl.optional(),
  ANALYTICS_REPORT_LINK_TTL_SECONDS: z.preprocess(blankAsUnset, z.coerce.number().int().min(30).max(86_400).default(900)),
  COMPLIANCE_GATEWAY_URL: optionalUrl.optional(),
  COMPLIANCE_PUBLIC_URL: optionalUrl.optional(),
  COMPLIANCE_EXPORT_LINK_TTL_SECONDS: z.preprocess(blankAsUnset, z.coerce.number().int().min(30).max(86_400).default(900)),
  COMPLIANCE_REPORT_LINK_TTL_SECONDS: z.preprocess(blankAsUnset, z.coerce.number().int().min(30).max(86_400).default(900)),
  EVENT_STREAM_PREFIX: z.preprocess(blankAsUnset, z.string().trim().min(1).default('auralink:events')),
  // At least as long as a session token lives: revocations are replayed from the streams at start.
  EVENT_RETENTION_HOURS: z.preprocess(
    blankAsUnset,
    z.coerce
      .number()
      .int()
      .min(MAX_SESSION_TOKEN_TTL_SECONDS / 3600)
      .max(8760)
      .default(168),
  ),
  OUTBOX_TEST_PAUSE: z.preprocess(
    blankAsUnset,
    z
      .string()
      .trim()
      .regex(/^(before|after)-publish:[a-z_.]+$/, 'must be before-publish:<event type> or after-publish:<event type>')
      .optional(),
  ),
  QUERY_MAX_DEPTH: limit(10),
  QUERY_MAX_ALIASES: limit(30, 0),
  QUERY_MAX_ROOT_FIELDS: limit(20),
  QUERY_MAX_TOKENS: limit(2000, 100),
  QUERY_MAX_DIRECTIVES: limit(50, 0),
  QUERY_MAX_COST: limit(20_000, 100),
  QUERY_MAX_BYTES: limit(64 * 1024, 1024),
  RESPONSE_MAX_BYTES: limit(4 * 1024 * 1024, 1024),
  WS_MAX_MESSAGE_BYTES: limit(1024 * 1024, 1024),
  WS_MAX_SOCKETS_PER_USER: limit(20),
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: limit(25),
  WS_MAX_SUBSCRIPTIONS_PER_USER: limit(100),
  SUBGRAPH_SECRET: subgraphSecret,
  SUBGRAPH_MAX_REPRESENTATIONS: limit(10_000),
  HSTS_MAX_AGE_SECONDS: limit(0, 0),
  METRICS_TOKEN: subgraphSecret,
  JOBS_SCHEMA: z.preprocess(
    blankAsUnset,
    z
      .string()
      .trim()
      .regex(/^[a-z_][a-z0-9_]*$/, 'must be a lower-case PostgreSQL schema name')
      .default('pgboss'),
  ),
  JOBS_IN_PROCESS: z.preprocess(blankAsUnset, booleanFlag.default(true)),
  JOBS_POLLING_INTERVAL_SECONDS: z.preprocess(blankAsUnset, z.coerce.number().min(0.5).max(60).default(2)),
  JOBS_SHUTDOWN_GRACE_SECONDS: z.preprocess(blankAsUnset, z.coerce.number().int().min(1).max(3600).default(30)),
  AI_API_URL: optionalUrl.optional(),
  AI_API_KEY: z.preprocess(blankAsUnset, z.string().trim().min(1).optional()),
  AI_TRANSCRIPTION_MODEL: z.preprocess(blankAsUnset, z.string().trim().min(1).max(100).default('whisper-1')),
  AI_SUMMARY_MODEL: z.preprocess(blankAsUnset, z.string().trim().min(1).max(100).default('gpt-4o-mini')),
  AI_TIMEOUT_SECONDS: z.preprocess(blankAsUnset, z.coerce.number().int().min(1).max(3600).default(120)),
  AI_MAX_RETRIES: z.preprocess(blankAsUnset, z.coerce.number().int().min(0).max(10).default(3)),
  RECORDING_STORAGE_ORIGINS: z.preprocess(
    blankAsUnset,
    z
      .string()
      .optional()
      .transform((value) =>
        (value ?? '')
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      )
      .pipe(
        z.array(
          z
            .string()
            .refine(
              (origin) => /^https?:\/\/[^/?#@]+$/.test(origin),
              'a comma-separated list of origins such as https://media.example.com',
            ),
        ),
      ),
  ),
});

/** Every variable the processes read (README's configuration table and .env.example list each). */
export const CONFIG_VARIABLES = Object.keys(environmentSchema.shape);

/** Production needs a real database and a real secrets key; checked with every other value. */
const PRODUCTION_REQUIREMENTS: [variable: string, message: string][] = [
  ['DATABASE_URL', 'required in production (the embedded database is for development)'],
  ['SECRETS_KEY', 'required in production (generate with: openssl rand -base64 32)'],
  ['SUBGRAPH_SECRET', 'required in production: the same value for the gateway and every subgraph (openssl rand -base64 32)'],
];

function productionProblems(env: NodeJS.ProcessEnv): string[] {
  if (env.NODE_ENV !== 'production') return [];
  return [
    ...PRODUCTION_REQUIREMENTS.filter(([variable]) => (env[variable] ?? '').trim() === '').map(
      ([variable, message]) => `${variable}: ${message}`,
    ),
    ...((env.OUTBOX_TEST_PAUSE ?? '').trim() === '' ? [] : ['OUTBOX_TEST_PAUSE: a test hook; never set in production']),
  ];
}

export interface Config {
  env: 'development' | 'test' | 'production';
  logLevel: string;
  /** Where peers reach this process (and the default subgraph URLs). */
  host: string;
  /** The interface it listens on: HOST unless set (0.0.0.0 inside a container). */
  listenHost: string;
  dataDir: string;
  database: { url: string | undefined; poolMax: number; embeddedPort: number };
  redisUrl: string | undefined;
  /** `workers`: processes of the clustered gateway (runtime/cluster.ts); unset means one per core. */
  gateway: { port: number; workers: number | undefined };
  subgraphs: Record<SubgraphName, { port: number; url: string }>;
  /** `publicUrl`: the origin users reach sign-in on (the gateway's); SSO redirect URIs registered at identity providers start with it. */
  auth: { issuer: string; audience: string; jwksUrl: string; tokenTtlSeconds: number; publicUrl: string };
  /** base64 AES-256 key; unset outside production means a key kept under dataDir. */
  secretsKey: string | undefined;
  demoData: boolean;
  /** Where `npm start`'s demo identity provider listens on 127.0.0.1 (runtime/demo-identity-provider.ts). */
  demoIdpPort: number;
  /** Which permission decisions are written to the decision stream: denials only, or every one. */
  authz: { decisionLog: 'denied' | 'all' };
  /** Tax on invoices, in basis points of the subtotal (2000 = 20%). */
  billing: {
    taxRateBps: number;
    stripeWebhookSecret: string | undefined;
    stripeSecretKey: string | undefined;
    stripeApiUrl: string | undefined;
  };
  /**
   * The audit log: where its download links point (`publicUrl`, audit's own address by default),
   * how long they work, the export size that opens a security event, how often chain heads are
   * signed, and the Redis stream of permission decisions it reads.
   */
  audit: {
    publicUrl: string;
    exportLinkTtlSeconds: number;
    largeExportRows: number;
    checkpointIntervalSeconds: number;
    decisionStream: string;
  };
  /** Custom reports: where their download links point (analytics' own address by default) and how long they work. */
  analytics: {
    publicUrl: string;
    reportLinkTtlSeconds: number;
  };
  /**
   * Compliance: the gateway it reaches every subgraph's part of a data-subject request through
   * (this process's own gateway by default), where its download links (exports, report PDFs)
   * point (compliance's own address by default) and how long each kind works.
   */
  compliance: {
    gatewayUrl: string;
    publicUrl: string;
    exportLinkTtlSeconds: number;
    reportLinkTtlSeconds: number;
  };
  /** Requests per window the gateway serves: per address (anonymous), per user, per organization; 0 is no limit. */
  rateLimit: {
    windowSeconds: number;
    anonymous: number;
    user: number;
    organization: number;
    /** Points a refused token costs its address (a normal request costs 1). */
    failedAuthenticationCost: number;
    /** Proxies in front of the gateway that append to X-Forwarded-For (0: the socket's peer is the client). */
    trustedProxies: number;
    /** Redis key prefix of the counters. */
    keyPrefix: string;
  };
  /**
   * Attack protection at sign-in (identity's SSO callbacks and MFA codes): failures counted per
   * address and per member within `failureWindowSeconds`; `maxFailures` of a member's lock them
   * out of the organization for `lockoutSeconds`; `ipMaxFailures` of an address's refuse its
   * sign-ins until the window has passed (0: no limit). `mfaIssuer`: the name authenticator apps show.
   */
  signIn: { failureWindowSeconds: number; maxFailures: number; lockoutSeconds: number; ipMaxFailures: number; mfaIssuer: string };
  /** Facts between subgraphs (platform/outbox): Redis stream names, how long events are kept, the crash-test hook. */
  events: {
    streamPrefix: string;
    retentionMs: number;
    testPause: { stage: 'before-publish' | 'after-publish'; type: string } | undefined;
  };
  /** What one GraphQL document may ask for, at the gateway and in every subgraph (platform/limits). */
  limits: DocumentLimits;
  /** The largest response body the gateway sends; a larger one is replaced by an error. */
  responseMaxBytes: number;
  webSocket: { maxMessageBytes: number; maxSocketsPerUser: number; maxSubscriptionsPerSocket: number; maxSubscriptionsPerUser: number };
  /**
   * `secret`: what the gateway shows subgraphs so they answer `_entities` and `_service`
   * (unset outside production: one generated under dataDir, see platform/subgraph-credential.ts).
   */
  subgraph: { secret: string | undefined; maxRepresentations: number };
  /** Strict-Transport-Security max-age; 0 sends no HSTS (serve behind TLS before turning it on). */
  hstsMaxAgeSeconds: number;
  /** The bearer token `GET /metrics` asks of scrapers; unset: open in development, not served in production. */
  metricsToken: string | undefined;
  /**
   * The job worker (platform/jobs/runner.ts): pg-boss's schema, whether `npm start` runs it in
   * its process, how often an idle worker polls, how long a stop lets running jobs finish.
   */
  jobs: { schema: string; inProcess: boolean; pollingIntervalSeconds: number; shutdownGraceSeconds: number };
  /**
   * The OpenAI-compatible provider recordings are transcribed and summarised with (OpenAI,
   * whisper.cpp's server, Ollama…): `apiUrl` unset means none is configured and recordings wait.
   */
  ai: {
    apiUrl: string | undefined;
    apiKey: string | undefined;
    transcriptionModel: string;
    summaryModel: string;
    timeoutSeconds: number;
    maxRetries: number;
  };
  /** Origins a recording's `storageUrl` may point at (the jobs download from there); empty: any http(s) URL. */
  recordings: { storageOrigins: string[] };
}

export interface DocumentLimits {
  depth: number;
  aliases: number;
  rootFields: number;
  tokens: number;
  directives: number;
  cost: number;
  /** Bytes of query text. */
  documentBytes: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Reads every setting from the environment at once. Throws a ConfigError that lists
 * every bad value, so an operator fixes them in one go rather than one per restart.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(env);
  const problems = [
    ...(parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)),
    ...productionProblems(env),
  ];
  if (parsed.success && parsed.data.SUBGRAPH_MAX_REPRESENTATIONS * 2 < parsed.data.QUERY_MAX_COST) {
    // A document within the cost limit can reach up to cost / 2 entities at one path (each costs at least 2).
    problems.push(
      'SUBGRAPH_MAX_REPRESENTATIONS: must be at least half of QUERY_MAX_COST, or the gateway could plan lookups subgraphs refuse',
    );
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;

  const subgraphs = Object.fromEntries(
    SUBGRAPH_NAMES.map((name) => {
      const upper = name.toUpperCase() as Uppercase<SubgraphName>;
      const subgraphPort = e[`${upper}_PORT`];
      return [name, { port: subgraphPort, url: e[`${upper}_URL`] ?? `http://${e.HOST}:${subgraphPort}/graphql` }];
    }),
  ) as Config['subgraphs'];

  return {
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    host: e.HOST,
    listenHost: e.LISTEN_HOST ?? e.HOST,
    dataDir: e.DATA_DIR,
    database: { url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX, embeddedPort: e.EMBEDDED_POSTGRES_PORT },
    redisUrl: e.REDIS_URL,
    gateway: { port: e.GATEWAY_PORT, workers: e.GATEWAY_WORKERS },
    subgraphs,
    auth: {
      issuer: e.AUTH_ISSUER,
      audience: e.AUTH_AUDIENCE,
      jwksUrl: e.AUTH_JWKS_URL ?? jwksUrlOf(subgraphs.identity.url),
      tokenTtlSeconds: e.AUTH_TOKEN_TTL_SECONDS,
      publicUrl: (e.AUTH_PUBLIC_URL ?? `http://${e.HOST}:${e.GATEWAY_PORT}`).replace(/\/+$/, ''),
    },
    secretsKey: e.SECRETS_KEY,
    // A production system never gets a demo organization (with known user ids) unless asked for.
    demoData: e.DEMO_DATA ?? e.NODE_ENV !== 'production',
    demoIdpPort: e.DEMO_IDP_PORT,
    authz: { decisionLog: e.AUTHZ_DECISION_LOG },
    billing: {
      taxRateBps: e.BILLING_TAX_RATE_BPS,
      stripeWebhookSecret: e.STRIPE_WEBHOOK_SECRET,
      stripeSecretKey: e.STRIPE_SECRET_KEY,
      stripeApiUrl: e.STRIPE_API_URL,
    },
    audit: {
      publicUrl: (e.AUDIT_PUBLIC_URL ?? new URL('.', subgraphs.audit.url).toString()).replace(/\/+$/, ''),
      exportLinkTtlSeconds: e.AUDIT_EXPORT_LINK_TTL_SECONDS,
      largeExportRows: e.AUDIT_LARGE_EXPORT_ROWS,
      checkpointIntervalSeconds: e.AUDIT_CHECKPOINT_INTERVAL_SECONDS,
      decisionStream: e.AUDIT_DECISION_STREAM,
    },
    analytics: {
      publicUrl: (e.ANALYTICS_PUBLIC_URL ?? new URL('.', subgraphs.analytics.url).toString()).replace(/\/+$/, ''),
      reportLinkTtlSeconds: e.ANALYTICS_REPORT_LINK_TTL_SECONDS,
    },
    compliance: {
      gatewayUrl: e.COMPLIANCE_GATEWAY_URL ?? `http://${e.HOST}:${e.GATEWAY_PORT}/graphql`,
      publicUrl: (e.COMPLIANCE_PUBLIC_URL ?? new URL('.', subgraphs.compliance.url).toString()).replace(/\/+$/, ''),
      exportLinkTtlSeconds: e.COMPLIANCE_EXPORT_LINK_TTL_SECONDS,
      reportLinkTtlSeconds: e.COMPLIANCE_REPORT_LINK_TTL_SECONDS,
    },
    rateLimit: {
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      anonymous: e.RATE_LIMIT_ANONYMOUS,
      user: e.RATE_LIMIT_USER,
      organization: e.RATE_LIMIT_ORGANIZATION,
      failedAuthenticationCost: e.RATE_LIMIT_FAILED_AUTH_COST,
      trustedProxies: e.RATE_LIMIT_TRUSTED_PROXIES,
      keyPrefix: e.RATE_LIMIT_KEY_PREFIX,
    },
    signIn: {
      failureWindowSeconds: e.SIGN_IN_FAILURE_WINDOW_SECONDS,
      maxFailures: e.SIGN_IN_MAX_FAILURES,
      lockoutSeconds: e.SIGN_IN_LOCKOUT_SECONDS,
      ipMaxFailures: e.SIGN_IN_IP_MAX_FAILURES,
      mfaIssuer: e.MFA_ISSUER,
    },
    events: {
      streamPrefix: e.EVENT_STREAM_PREFIX,
      retentionMs: e.EVENT_RETENTION_HOURS * 3600_000,
      testPause: e.OUTBOX_TEST_PAUSE ? testPause(e.OUTBOX_TEST_PAUSE) : undefined,
    },
    limits: {
      depth: e.QUERY_MAX_DEPTH,
      aliases: e.QUERY_MAX_ALIASES,
      rootFields: e.QUERY_MAX_ROOT_FIELDS,
      tokens: e.QUERY_MAX_TOKENS,
      directives: e.QUERY_MAX_DIRECTIVES,
      cost: e.QUERY_MAX_COST,
      documentBytes: e.QUERY_MAX_BYTES,
    },
    responseMaxBytes: e.RESPONSE_MAX_BYTES,
    webSocket: {
      maxMessageBytes: e.WS_MAX_MESSAGE_BYTES,
      maxSocketsPerUser: e.WS_MAX_SOCKETS_PER_USER,
      maxSubscriptionsPerSocket: e.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
      maxSubscriptionsPerUser: e.WS_MAX_SUBSCRIPTIONS_PER_USER,
    },
    subgraph: { secret: e.SUBGRAPH_SECRET, maxRepresentations: e.SUBGRAPH_MAX_REPRESENTATIONS },
    hstsMaxAgeSeconds: e.HSTS_MAX_AGE_SECONDS,
    metricsToken: e.METRICS_TOKEN,
    jobs: {
      schema: e.JOBS_SCHEMA,
      inProcess: e.JOBS_IN_PROCESS,
      pollingIntervalSeconds: e.JOBS_POLLING_INTERVAL_SECONDS,
      shutdownGraceSeconds: e.JOBS_SHUTDOWN_GRACE_SECONDS,
    },
    ai: {
      apiUrl: e.AI_API_URL,
      apiKey: e.AI_API_KEY,
      transcriptionModel: e.AI_TRANSCRIPTION_MODEL,
      summaryModel: e.AI_SUMMARY_MODEL,
      timeoutSeconds: e.AI_TIMEOUT_SECONDS,
      maxRetries: e.AI_MAX_RETRIES,
    },
    recordings: { storageOrigins: e.RECORDING_STORAGE_ORIGINS.map((origin) => new URL(origin).origin) },
  };
}

function testPause(value: string): Config['events']['testPause'] {
  const [stage, type] = value.split(':') as ['before-publish' | 'after-publish', string];
  return { stage, type };
}

/** Where identity publishes its signing keys, given its GraphQL endpoint. */
export function jwksUrlOf(identityGraphqlUrl: string): string {
  // Relative, so a path prefix survives: https://host/identity/graphql → https://host/identity/.well-known/jwks.json
  return new URL('.well-known/jwks.json', identityGraphqlUrl).toString();
}

/** For command-line entry points: load the config or print every problem and exit. */
export function loadConfigOrExit(env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

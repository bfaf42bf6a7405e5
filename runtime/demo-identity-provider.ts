import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DataSource } from 'typeorm';
import type { Principal } from '../platform/auth/principal';
import type { AccessControl } from '../platform/authorization/access-control';
import type { Config } from '../platform/config';
import { listen } from '../platform/http';
import { OIDC_CALLBACK_PATH, OIDC_LOGIN_PATH, SsoProviderType, createIdentityServices } from '../subgraphs/identity';
import { DEMO_MEMBERS, DEMO_ORGANIZATION_ID, DEMO_OWNER_ID } from './demo-organization';

/** The client AuraLink is registered under at the demo identity provider, and the name its SSO configuration carries. */
export const DEMO_IDP_CLIENT_ID = 'auralink-demo';
export const DEMO_IDP_NAME = 'AuraLink demo identity provider';
/** Only this machine reaches it: it signs anyone in as a demo user without a password. */
const DEMO_IDP_HOST = '127.0.0.1';
const SCOPE = 'openid email profile';
/** A login form holds one email address. */
const FORM_LIMIT_BYTES = 4096;

export interface DemoSignIn {
  /** The demo identity provider's issuer (`http://127.0.0.1:<port>`). */
  issuer: string;
  /** The demo organization's SSO configuration that points at it. */
  configId: string;
  /** Where a browser starts signing in: the gateway's OIDC login route with the configuration. */
  signInUrl: string;
  close(): Promise<void>;
}

/**
 * Sign-in for real on `npm start`: an OpenID provider of the demo organization's five users
 * on 127.0.0.1:`port` (0: a free one), and the demo organization's SSO configuration (OIDC)
 * pointing at it. The configuration is created once and kept across restarts (found by its
 * client id); each start gives the provider a fresh client secret and stores it sealed, as
 * any configuration's secret. Never in production: anyone who reaches the provider signs in
 * as the demo organization's owner.
 */
export async function startDemoSignIn(
  config: Config,
  supergraph: { dataSources: { identity: DataSource }; access: AccessControl },
  port: number,
): Promise<DemoSignIn> {
  if (config.env === 'production') {
    throw new Error('The demo identity provider signs anyone in as a demo user without a password: it does not run in production');
  }
  const clientSecret = randomBytes(32).toString('base64url');
  const provider = await startDemoIdentityProvider({
    port,
    clientSecret,
    redirectUri: `${config.auth.publicUrl}${OIDC_CALLBACK_PATH}`,
  });
  try {
    const configId = await ensureDemoSsoConfig(config, supergraph, provider.issuer, clientSecret);
    return {
      issuer: provider.issuer,
      configId,
      signInUrl: `${config.auth.publicUrl}${OIDC_LOGIN_PATH}?config_id=${encodeURIComponent(configId)}`,
      close: provider.close,
    };
  } catch (error) {
    await provider.close();
    throw error;
  }
}

/** The demo organization's configuration for the demo identity provider: created the first time, then pointed at this start's provider. */
async function ensureDemoSsoConfig(
  config: Config,
  supergraph: { dataSources: { identity: DataSource }; access: AccessControl },
  issuer: string,
  clientSecret: string,
): Promise<string> {
  const { ssoConfigs, signInStates } = createIdentityServices({
    config,
    dataSource: supergraph.dataSources.identity,
    access: supergraph.access,
  });
  // The demo data is set up as its owner would set it up (runtime/demo-organization.ts).
  const owner: Principal = {
    userId: DEMO_OWNER_ID,
    organizationId: DEMO_ORGANIZATION_ID,
    sessionId: 'demo-data',
    expiresAt: new Date(Date.now() + 60_000),
  };
  try {
    const existing = (await ssoConfigs.list(owner, DEMO_ORGANIZATION_ID)).find(
      (candidate) => candidate.providerType === SsoProviderType.OIDC && candidate.oidcClientId === DEMO_IDP_CLIENT_ID,
    );
    if (existing) {
      await ssoConfigs.update(owner, existing.id, { oidcIssuer: issuer, clientSecret, enabled: true });
      return existing.id;
    }
    const created = await ssoConfigs.create(owner, {
      organizationId: DEMO_ORGANIZATION_ID,
      providerType: SsoProviderType.OIDC,
      providerName: DEMO_IDP_NAME,
      enabled: true,
      oidcIssuer: issuer,
      oidcClientId: DEMO_IDP_CLIENT_ID,
      clientSecret,
      autoProvisionUsers: false,
      defaultRole: 'member',
    });
    return created.id;
  } finally {
    await signInStates.close();
  }
}

/** The part of oidc-provider's `Provider` (a Koa application) used here; the package ships no type declarations. */
interface OidcProvider {
  on(event: string, listener: (...args: unknown[]) => void): void;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<{ uid: string; prompt: { name: string } }>;
  interactionFinished(
    req: IncomingMessage,
    res: ServerResponse,
    result: unknown,
    options: { mergeWithLastSubmission: boolean },
  ): Promise<void>;
  Grant: OidcGrantClass;
}
interface OidcGrant {
  accountId: string;
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
interface OidcGrantClass {
  new (properties: { accountId: string; clientId: string }): OidcGrant;
  find(id: string): Promise<OidcGrant | undefined>;
}
interface OidcContext {
  oidc: {
    provider: OidcProvider;
    client: { clientId: string };
    session: { accountId?: string; grantIdFor(clientId: string): string | undefined };
    result?: { login?: unknown };
  };
}
interface ErrorContext {
  status: number;
  body: unknown;
  set(headers: Record<string, string>): void;
}
interface OidcProviderModule {
  default: new (issuer: string, configuration: Record<string, unknown>) => OidcProvider;
  interactionPolicy: {
    base(): { get(name: string): { checks: { add(check: unknown): void } } };
    Check: new (reason: string, description: string, error: string, check: (ctx: OidcContext) => boolean) => unknown;
  };
}

/**
 * oidc-provider 9 (ESM-only, hence the dynamic import) with its own signing key, a memory
 * store and our login page (`/interaction/:uid`): choose a demo user, no password. Consent is
 * not asked (AuraLink is the only client), and the login page is shown at every sign-in, so
 * a newcomer can sign in as another user in the same browser.
 */
async function startDemoIdentityProvider(options: {
  port: number;
  clientSecret: string;
  redirectUri: string;
}): Promise<{ issuer: string; close(): Promise<void> }> {
  const oidc = await importQuietly();
  const Provider = oidc.default;
  // The issuer names the port, so the server listens before the provider exists.
  const app: { handle?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server = createServer((req, res) => app.handle!(req, res));
  const port = await listen(server, DEMO_IDP_HOST, options.port).catch((error: unknown) => {
    throw new Error(
      `The demo identity provider could not listen on ${DEMO_IDP_HOST}:${options.port} (${(error as Error).message}): set DEMO_IDP_PORT to a free port`,
      { cause: error },
    );
  });
  const issuer = `http://${DEMO_IDP_HOST}:${port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const policy = oidc.interactionPolicy.base();
  policy
    .get('login')
    .checks.add(
      new oidc.interactionPolicy.Check(
        'choose_user',
        'The demo asks whom to sign in as at every sign-in',
        'login_required',
        (ctx) => !ctx.oidc.result?.login,
      ),
    );
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: DEMO_IDP_CLIENT_ID,
        client_secret: options.clientSecret,
        redirect_uris: [options.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    async findAccount(_ctx: unknown, id: string) {
      const member = DEMO_MEMBERS.find((candidate) => candidate.id === id);
      if (!member) return undefined;
      return {
        accountId: member.id,
        claims: async () => ({ sub: member.id, email: member.email, email_verified: true, name: member.name }),
      };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // Consent is AuraLink's own: a grant of the scopes it asks for, made at the first sign-in of a session.
    async loadExistingGrant(ctx: OidcContext) {
      const { session, client, provider: self } = ctx.oidc;
      const grantId = session.grantIdFor(client.clientId);
      const existing = grantId ? await self.Grant.find(grantId) : undefined;
      if (existing && existing.accountId === session.accountId) return existing;
      const grant = new self.Grant({ accountId: session.accountId!, clientId: client.clientId });
      grant.addOIDCScope(SCOPE);
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`, policy },
    features: { devInteractions: { enabled: false } },
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    pkce: { required: () => true },
    // Short-lived and set here, so the provider prints no notice about its defaults at each sign-in.
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 3600, Grant: 3600 },
    clientBasedCORS: () => false,
    async renderError(ctx: ErrorContext, out: { error?: string; error_description?: string }) {
      ctx.status = ctx.status >= 400 ? ctx.status : 400;
      ctx.set(PAGE_HEADERS);
      ctx.body = errorPage(`${out.error_description ?? out.error ?? 'The sign-in failed'}: start it again from AuraLink.`);
    },
    adapter: memoryAdapter(),
  });
  // Its errors are answered to the browser on its own pages; nothing to log for a demo.
  provider.on('server_error', () => undefined);
  const handleProvider = provider.callback();
  app.handle = (req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec((req.url ?? '').split('?')[0]!);
    if (!match) return handleProvider(req, res);
    void interaction(provider, req, res, match[2] !== undefined).catch(() => {
      if (!res.headersSent) sendPage(res, 400, errorPage('This sign-in has expired or was already used: start it again from AuraLink.'));
      else res.destroy();
    });
  };
  return {
    issuer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The login page (GET) and its answer (POST `/login`, `email=`): the chosen demo user is signed in at the provider. */
async function interaction(provider: OidcProvider, req: IncomingMessage, res: ServerResponse, submitted: boolean): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name !== 'login') {
    return sendPage(res, 400, errorPage('This provider only signs demo users in: start again from AuraLink.'));
  }
  if (!submitted) return sendPage(res, 200, loginPage(details.uid));
  if (req.method !== 'POST') return sendPage(res, 405, errorPage('Choose a user on the sign-in page.'));
  const email = new URLSearchParams(await readBody(req)).get('email')?.trim().toLowerCase();
  const member = DEMO_MEMBERS.find((candidate) => candidate.email === email);
  if (!member)
    return sendPage(res, 400, loginPage(details.uid, `${email ? `“${email.slice(0, 100)}”` : 'No address'} is not a demo user.`));
  await provider.interactionFinished(req, res, { login: { accountId: member.id } }, { mergeWithLastSubmission: false });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
      if (body.length > FORM_LIMIT_BYTES) {
        req.destroy();
        reject(new Error('form too large'));
      }
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2430}' +
  'main{max-width:34rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}' +
  'h1{font-size:1.3rem;margin-top:0}ul{list-style:none;padding:0}li{margin:.5rem 0}' +
  'button{width:100%;text-align:left;padding:.7rem 1rem;font:inherit;border:1px solid #c6ccd6;border-radius:6px;background:#fff;cursor:pointer}' +
  'button:hover{border-color:#3b6fd8;background:#f0f5ff}small{color:#5b6577}.error{color:#b42318}';
/** Scripts none, the inline style by its hash, no framing (the page takes a click that signs someone in). */
const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'`;

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

function sendPage(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, PAGE_HEADERS);
  res.end(html);
}

function page(body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in · ${DEMO_IDP_NAME}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

function loginPage(uid: string, problem?: string): string {
  const users = DEMO_MEMBERS.map(
    (member) =>
      `<li><button type="submit" name="email" value="${escapeHtml(member.email)}">${escapeHtml(member.name)} <small>${escapeHtml(member.email)} · ${escapeHtml(member.roleId.replace(/^role_/, '').replace(/_/g, ' '))}</small></button></li>`,
  ).join('');
  return page(
    `<h1>${DEMO_IDP_NAME}</h1>` +
      '<p>AuraLink asks who you are. Choose a user of the demo organization Acme Communications: this provider asks for no password and runs on this machine only.</p>' +
      (problem ? `<p class="error">${escapeHtml(problem)}</p>` : '') +
      `<form method="post" action="/interaction/${encodeURIComponent(uid)}/login"><ul>${users}</ul></form>`,
  );
}

function errorPage(message: string): string {
  return page(`<h1>${DEMO_IDP_NAME}</h1><p class="error">${escapeHtml(message)}</p>`);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** oidc-provider warns on import that it prefers Node 22; it runs on Node 20 (STACK-NOTES), so that one line is not printed at every start. */
async function importQuietly(): Promise<OidcProviderModule> {
  // eslint-disable-next-line no-console -- the package prints it with console.warn, nowhere else to catch it
  const warn = console.warn;
  // eslint-disable-next-line no-console -- as above
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('Unsupported runtime')) warn(...args);
  };
  try {
    return (await import('oidc-provider' as string)) as OidcProviderModule;
  } finally {
    // eslint-disable-next-line no-console -- as above
    console.warn = warn;
  }
}

/** What a grant's revocation ends (as oidc-provider's own memory adapter): not the interaction under way, which names the grant too. */
const GRANTABLE = new Set(['AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest']);

/** The provider's sessions, interactions, codes and grants, in memory (the provider lives as long as the process). */
function memoryAdapter() {
  const store = new Map<string, { payload: Record<string, unknown>; expiresAt: number }>();
  const live = (key: string) => {
    const entry = store.get(key);
    if (entry && entry.expiresAt <= Date.now()) store.delete(key);
    return entry && entry.expiresAt > Date.now() ? entry : undefined;
  };
  return class MemoryAdapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      if (store.size > 10_000) for (const [key, entry] of store) if (entry.expiresAt <= Date.now()) store.delete(key);
      const expiresAt = expiresIn ? Date.now() + expiresIn * 1000 : Infinity;
      store.set(this.key(id), { payload, expiresAt });
      if (typeof payload.uid === 'string') store.set(`uid:${payload.uid}`, { payload: { id }, expiresAt });
      if (typeof payload.grantId === 'string' && GRANTABLE.has(this.model)) {
        const keys = (live(`grant:${payload.grantId}`)?.payload.keys as string[] | undefined) ?? [];
        store.set(`grant:${payload.grantId}`, { payload: { keys: [...keys, this.key(id)] }, expiresAt: Infinity });
      }
    }
    async find(id: string) {
      return live(this.key(id))?.payload;
    }
    async findByUid(uid: string) {
      const id = live(`uid:${uid}`)?.payload.id as string | undefined;
      return id ? this.find(id) : undefined;
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id: string) {
      const entry = live(this.key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const key of (live(`grant:${grantId}`)?.payload.keys as string[] | undefined) ?? []) store.delete(key);
      store.delete(`grant:${grantId}`);
    }
  };
}

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Someone the provider can sign in: the login form takes their email. */
export interface OidcAccount {
  sub: string;
  email: string;
  name?: string;
  groups?: string[];
  /** Default true. */
  emailVerified?: boolean;
}

export interface OidcClient {
  clientId: string;
  /** Absent: a public client (PKCE only, no secret). */
  clientSecret?: string;
  redirectUris: string[];
}

export interface RunningOidcProvider {
  issuer: string;
  /** Adds an account (a person the provider knows) while it runs. */
  addAccount(account: OidcAccount): void;
  /**
   * Plays the browser from `authorizationUrl` through the provider's login and consent pages,
   * signing in as `email`; answers the redirect back to the client (its callback URL with
   * `code` and `state`, or `error`), without following it.
   */
  signIn(authorizationUrl: string, email: string): Promise<URL>;
  /** Makes every authorization code issued so far expired, as if its lifetime had passed. */
  expireAuthorizationCodes(): void;
  /** While on, the ID token of every token response has its payload changed after signing (a tampered token). */
  tamperIdTokens(on: boolean): void;
  close(): Promise<void>;
}

/** The part of oidc-provider's `Provider` (a Koa application) used here; the package ships no type declarations. */
interface OidcProviderApp {
  on(event: string, listener: (...args: unknown[]) => void): void;
  use(middleware: (ctx: { path: string; body: unknown }, next: () => Promise<void>) => Promise<void>): void;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
}

interface Stored {
  payload: Record<string, unknown>;
  expiresAt: number;
}

/**
 * A real OpenID Provider (`oidc-provider` 9, ESM-only, hence the dynamic import) on a free
 * port of 127.0.0.1, with its development login and consent pages, the given clients and
 * accounts, PKCE required, and a memory adapter the test can reach into (expired codes).
 */
export async function startOidcProvider(options: { clients: OidcClient[]; accounts?: OidcAccount[] }): Promise<RunningOidcProvider> {
  const { default: Provider } = (await import('oidc-provider' as string)) as {
    default: new (issuer: string, configuration: Record<string, unknown>) => OidcProviderApp;
  };
  const accounts = [...(options.accounts ?? [])];
  const store = new Map<string, Stored>();
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  let tamper = false;

  class MemoryAdapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      store.set(this.key(id), { payload, expiresAt: expiresIn ? Date.now() + expiresIn * 1000 : Infinity });
      if (typeof payload.uid === 'string') store.set(`uid:${payload.uid}`, { payload: { id }, expiresAt: Infinity });
      if (typeof payload.grantId === 'string') {
        const grant = store.get(`grant:${payload.grantId}`)?.payload.keys as string[] | undefined;
        store.set(`grant:${payload.grantId}`, { payload: { keys: [...(grant ?? []), this.key(id)] }, expiresAt: Infinity });
      }
    }
    async find(id: string) {
      const entry = store.get(this.key(id));
      return entry && entry.expiresAt > Date.now() ? entry.payload : undefined;
    }
    async findByUid(uid: string) {
      const id = store.get(`uid:${uid}`)?.payload.id as string | undefined;
      return id ? this.find(id) : undefined;
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id: string) {
      const entry = store.get(this.key(id));
      if (entry) entry.payload.consumed = nowSeconds();
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const key of (store.get(`grant:${grantId}`)?.payload.keys as string[] | undefined) ?? []) store.delete(key);
      store.delete(`grant:${grantId}`);
    }
  }

  // The issuer names the port, so the server listens before the provider exists.
  const app: { handle?: (req: IncomingMessage, res: ServerResponse) => void } = {};
  const server = createServer((req, res) => app.handle!(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      ...(client.clientSecret ? { client_secret: client.clientSecret } : { token_endpoint_auth_method: 'none' }),
      redirect_uris: client.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
    })),
    async findAccount(_ctx: unknown, id: string) {
      const account = accounts.find((candidate) => candidate.sub === id);
      if (!account) return undefined;
      return {
        accountId: account.sub,
        claims: async () => ({
          sub: account.sub,
          email: account.email,
          email_verified: account.emailVerified ?? true,
          name: account.name,
          groups: account.groups ?? [],
        }),
      };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    adapter: MemoryAdapter,
  });
  // Quiet: its development pages and Node 20 warnings are expected here.
  provider.on('server_error', () => undefined);
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    if (tamper && ctx.path === '/token' && body?.id_token) {
      const [header, payload, signature] = body.id_token.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      claims.email = 'intruder@example.test';
      ctx.body = { ...body, id_token: `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}` };
    }
  });
  app.handle = provider.callback();

  return {
    issuer,
    addAccount: (account) => accounts.push(account),
    signIn: (authorizationUrl, email) => {
      // The development login form takes an account id: the account's `sub`.
      const account = accounts.find((candidate) => candidate.email.toLowerCase() === email.toLowerCase());
      return playBrowser(
        authorizationUrl,
        account?.sub ?? email,
        options.clients.flatMap((client) => client.redirectUris),
      );
    },
    expireAuthorizationCodes() {
      for (const [key, entry] of store) if (key.startsWith('AuthorizationCode:')) entry.payload.exp = nowSeconds() - 60;
    },
    tamperIdTokens(on) {
      tamper = on;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Follows redirects by hand with a cookie jar, submitting the login form (as `accountId`) and the consent form. */
async function playBrowser(authorizationUrl: string, accountId: string, redirectUris: string[]): Promise<URL> {
  const jar = new Map<string, string>();
  const cookieHeader = () => [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  const remember = (response: Response) => {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, value] = [pair!.slice(0, pair!.indexOf('=')).trim(), pair!.slice(pair!.indexOf('=') + 1).trim()];
      const expired = attributes.some((attribute) => /^\s*expires=Thu, 01 Jan 1970/i.test(attribute) || /^\s*max-age=0\b/i.test(attribute));
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  };
  let url = new URL(authorizationUrl);
  let init: RequestInit = {};
  for (let step = 0; step < 20; step += 1) {
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers as object), cookie: cookieHeader() } });
    remember(response);
    init = {};
    if (response.status >= 300 && response.status < 400) {
      const next = new URL(response.headers.get('location')!, url);
      await response.arrayBuffer();
      if (redirectUris.some((uri) => next.toString().startsWith(uri))) return next;
      url = next;
      continue;
    }
    const html = await response.text();
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (response.status !== 200 || !prompt || !action) {
      throw new Error(
        `the identity provider answered ${response.status} at ${url.pathname}: ${html.replace(/<[^>]+>/g, ' ').slice(0, 300)}`,
      );
    }
    url = new URL(action.replace(/&amp;/g, '&'), url);
    const form: Record<string, string> = prompt === 'login' ? { prompt, login: accountId, password: 'any' } : { prompt };
    init = { method: 'POST', body: new URLSearchParams(form), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
  }
  throw new Error('the identity provider redirected more than 20 times');
}

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { BadUserInputError, NotFoundError, ServiceUnavailableError, UnauthenticatedError } from '../../../platform/errors';
import { Outbox } from '../../../platform/outbox/outbox';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { startOidcProvider } from '../../../tests/kit/oidc-provider';
import type { RunningOidcProvider } from '../../../tests/kit/oidc-provider';
import { openSeed, principalFor } from '../../../tests/kit/seed';
import type { Seed } from '../../../tests/kit/seed';
import { testConfig } from '../../../tests/kit/supergraph';
import { SsoProviderType } from '../entities/sso-config.entity';
import { identitySubgraph } from '../index';
import { OidcSignInService } from './oidc-sign-in.service';
import { MemorySignInStateStore } from './sign-in-state.store';
import { SsoSignInService } from './sso-sign-in.service';

const REDIRECT_URI = 'http://127.0.0.1:9/api/v1/auth/sso/oidc/callback';

let database: TestDatabase;
let seed: Seed;
let close: () => Promise<void>;
let dataSource: DataSource;
let provider: RunningOidcProvider;
let oidc: OidcSignInService;
/** A server that answers every request with 500: an identity provider that is down. */
const broken = createServer((_req, res) => res.writeHead(500).end());

beforeAll(async () => {
  database = await createTestDatabase();
  ({ seed, close } = await openSeed(testConfig({ DATABASE_URL: database.url }), database.url));
  dataSource = await createDataSource(identitySubgraph.storage, {
    url: database.url,
    poolMax: 2,
    applicationName: 'test-oidc',
  }).initialize();
  provider = await startOidcProvider({ clients: [{ clientId: 'spec', redirectUris: [REDIRECT_URI] }] });
  await new Promise<void>((resolve) => broken.listen(0, '127.0.0.1', resolve));
  const states = new MemorySignInStateStore();
  const signIns = new SsoSignInService(
    dataSource,
    seed.identity.users,
    seed.identity.members,
    seed.identity.sessions,
    new Outbox(),
    seed.identity.mfa,
    seed.identity.signInProtection,
    states,
  );
  oidc = new OidcSignInService(seed.identity.ssoConfigs, signIns, states, REDIRECT_URI);
});
afterAll(async () => {
  await new Promise((resolve) => broken.close(resolve));
  await provider?.close();
  await dataSource?.destroy();
  await close?.();
  await database?.drop();
});

async function configFor(issuer: string): Promise<string> {
  const team = await seed.org().create();
  const created = await seed.identity.ssoConfigs.create(principalFor(team.owner.user.id, team.organization.id), {
    organizationId: team.organization.id,
    providerType: SsoProviderType.OIDC,
    providerName: 'Spec',
    enabled: true,
    oidcIssuer: issuer,
    oidcClientId: 'spec',
    autoProvisionUsers: false,
    defaultRole: 'member',
  });
  return created.id;
}

describe('OidcSignInService', () => {
  it('starts a sign-in at the discovered authorization endpoint, with PKCE, state and nonce; its state is taken once', async () => {
    const { authorizationUrl: url, state } = await oidc.begin(await configFor(provider.issuer));
    expect(`${url.origin}${url.pathname}`).toBe(`${provider.issuer}/auth`);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    expect(url.searchParams.get('state')).toBe(state);
    // The provider answers with an error: the state is used up by that answer.
    await expect(oidc.complete(new URLSearchParams({ state, error: 'access_denied' }), state)).rejects.toThrow(/access_denied/);
    await expect(oidc.complete(new URLSearchParams({ state, code: 'x' }), state)).rejects.toThrow(UnauthenticatedError);
  });

  it('refuses a callback without a state, with one it never issued, or in a browser that did not start it', async () => {
    await expect(oidc.complete(new URLSearchParams({ code: 'x' }), undefined)).rejects.toThrow(BadUserInputError);
    await expect(oidc.complete(new URLSearchParams({ code: 'x', state: 'forged' }), 'forged')).rejects.toThrow(UnauthenticatedError);
    const { state } = await oidc.begin(await configFor(provider.issuer));
    await expect(oidc.complete(new URLSearchParams({ code: 'x', state }), undefined)).rejects.toThrow(/another browser/);
    await expect(oidc.complete(new URLSearchParams({ code: 'x', state }), state)).rejects.toThrow(/already used/);
  });

  it('answers NOT_FOUND for a configuration that is not an enabled OIDC one, SERVICE_UNAVAILABLE for a provider that is down', async () => {
    await expect(oidc.begin('sso_01NOPE')).rejects.toThrow(NotFoundError);
    await expect(oidc.begin(await configFor(`http://127.0.0.1:${(broken.address() as AddressInfo).port}`))).rejects.toThrow(
      ServiceUnavailableError,
    );
  });
});

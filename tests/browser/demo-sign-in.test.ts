import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { DEMO_IDP_CLIENT_ID, startDemoSignIn } from '../../runtime/demo-identity-provider';
import type { DemoSignIn } from '../../runtime/demo-identity-provider';
import { DEMO_ORGANIZATION_ID, loadDemoOrganization } from '../../runtime/demo-organization';
import { expectNoErrors } from '../kit/client';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';
import { freePort } from '../kit/test-services';

/**
 * Signing in for real on `npm start`'s stack: the demo organization and its demo identity
 * provider, loaded as bin/start.ts loads them, on free ports and a database of this file's
 * own. Chromium opens the sign-in URL npm start prints, chooses a demo user at the provider,
 * and ends on the gateway's signed-in page with a session whose token answers `me`.
 */
const SCREENSHOTS = path.resolve(__dirname, '__screenshots__');

let supergraph: TestSupergraph;
let demo: DemoSignIn;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  const port = await freePort();
  supergraph = await startTestSupergraph({ GATEWAY_PORT: String(port) });
  await loadDemoOrganization(supergraph.config, supergraph.dataSources, supergraph.access, supergraph.messaging);
  demo = await startDemoSignIn(supergraph.config, supergraph, 0);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await demo?.close();
  await supergraph?.stop();
});

/** Opens the printed sign-in URL, chooses `email` on the provider's page; answers the page it ends on. */
async function signInAs(email: string, screenshot?: string): Promise<Page> {
  const page = await context.newPage();
  const visited: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) visited.push(frame.url());
  });
  await page.goto(demo.signInUrl);
  expect(new URL(page.url()).origin).toBe(demo.issuer);
  expect(await page.textContent('h1')).toBe('AuraLink demo identity provider');
  expect(await page.locator('button[name=email]').count()).toBe(5);
  if (screenshot) await page.screenshot({ path: path.join(SCREENSHOTS, `${screenshot}-provider.png`) });
  const callback = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/v1/auth/sso/oidc/callback');
  await page.click(`button[value="${email}"]`);
  await page.waitForSelector('#access-token');
  // A page holding a token: never cached, no script, not to be framed.
  const headers = (await callback).headers();
  expect(headers['cache-control']).toBe('no-store');
  expect(headers['content-type']).toMatch(/^text\/html/);
  expect(headers['content-security-policy']).toMatch(/^default-src 'none'; style-src 'sha256-[^']+'; frame-ancestors 'none'/);
  expect(new URL(page.url()).origin).toBe(new URL(supergraph.gatewayUrl).origin);
  expect(new URL(page.url()).pathname).toBe('/api/v1/auth/sso/oidc/callback');
  if (screenshot) await page.screenshot({ path: path.join(SCREENSHOTS, `${screenshot}-signed-in.png`) });
  // The token travels in the page's body only, never in an address the browser went to.
  const token = await page.inputValue('#access-token');
  for (const url of visited) expect(url).not.toContain(token.slice(-20));
  return page;
}

async function meWith(token: string) {
  return expectNoErrors(
    await supergraph.gateway<{ me: { id: string; email: string }; mySessions: { id: string; current: boolean }[] }, undefined>(
      '{ me { id email } mySessions { id current } }',
      undefined,
      { token },
    ),
  );
}

describe('signing in through the demo identity provider', () => {
  it('signs a chosen demo user in, ends on a page saying who, and the session answers me', async () => {
    mkdirSync(SCREENSHOTS, { recursive: true });
    const page = await signInAs('admin@acme.example', 'demo-sign-in');
    expect(await page.textContent('#user')).toBe('Alan Admin <admin@acme.example> (user_124)');
    expect(await page.textContent('#organization')).toBe(`Acme Communications (${DEMO_ORGANIZATION_ID})`);
    const sessionText = (await page.textContent('#session'))!;

    const answer = await meWith(await page.inputValue('#access-token'));
    expect(answer.me).toEqual({ id: 'user_124', email: 'admin@acme.example' });
    const current = answer.mySessions.find((session) => session.current);
    expect(current).toBeDefined();
    expect(sessionText).toContain(current!.id);
    await page.close();
  }, 60_000);

  it('asks whom to sign in as at every sign-in, so the same browser signs in as another user', async () => {
    const page = await signInAs('guest@acme.example');
    expect((await meWith(await page.inputValue('#access-token'))).me.id).toBe('user_127');
    await page.close();
  }, 60_000);

  it('keeps the one demo configuration across a restart, with a new secret stored sealed, and signs in through the new provider', async () => {
    const configs = () =>
      supergraph.dataSources.identity.query(
        `SELECT id, oidc_issuer AS issuer, oidc_client_secret_sealed AS sealed FROM identity.sso_configs
          WHERE organization_id = $1 AND oidc_client_id = $2`,
        [DEMO_ORGANIZATION_ID, DEMO_IDP_CLIENT_ID],
      ) as Promise<{ id: string; issuer: string; sealed: string }[]>;
    const [before] = await configs();
    expect(before).toMatchObject({ id: demo.configId, issuer: demo.issuer, sealed: expect.stringMatching(/^v1\./) });

    await demo.close();
    demo = await startDemoSignIn(supergraph.config, supergraph, 0);
    expect(demo.configId).toBe(before!.id);
    expect(demo.signInUrl).toBe(`${new URL(supergraph.gatewayUrl).origin}/api/v1/auth/sso/oidc/login?config_id=${before!.id}`);
    const after = await configs();
    expect(after).toHaveLength(1);
    expect(after[0]!.issuer).toBe(demo.issuer);
    expect(after[0]!.sealed).not.toBe(before!.sealed);

    const page = await signInAs('owner@acme.example');
    expect((await meWith(await page.inputValue('#access-token'))).me.id).toBe('user_123');
    await page.close();
  }, 60_000);

  it('does not start in production', async () => {
    await expect(startDemoSignIn({ ...supergraph.config, env: 'production' }, supergraph, 0)).rejects.toThrow(/does not run in production/);
  });
});

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { expectNoErrors } from '../kit/client';
import type { SeededOrganization } from '../kit/seed';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

/**
 * The live dashboard in a real browser (Debian's Chromium) against the whole stack on free
 * ports: it signs in with a pasted token, subscribes over graphql-ws, and its numbers follow
 * calls started and ended through the API.
 */
const SCREENSHOTS = path.resolve(__dirname, '__screenshots__');

let supergraph: TestSupergraph;
let browser: Browser;
let page: Page;
let organization: SeededOrganization;

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  organization = await supergraph.seed.org({ name: 'Dashboard Co' }).create();
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await supergraph?.stop();
});

const origin = () => new URL(supergraph.gatewayUrl).origin;
const api = (query: string, variables?: Record<string, unknown>) =>
  supergraph.gateway<Record<string, unknown>, Record<string, unknown> | undefined>(query, variables, { token: organization.owner.token });

async function textOf(id: string): Promise<string> {
  return (await page.textContent(`#${id}`))?.trim() ?? '';
}

async function waitForText(id: string, expected: string | RegExp, timeout = 20_000): Promise<void> {
  await page.waitForFunction(
    ({ id, source, flags }) => new RegExp(source, flags).test((globalThis as any).document.getElementById(id)?.textContent?.trim() ?? ''),
    typeof expected === 'string'
      ? { id, source: `^${expected.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, flags: '' }
      : { id, source: expected.source, flags: expected.flags },
    { timeout },
  );
}

describe('the live dashboard', () => {
  it('is served on the gateway’s origin with its own content security policy', async () => {
    const response = await fetch(`${origin()}/dashboard`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${origin()}/dashboard/vendor/uplot.js`)).status).toBe(200);
  });

  it('connects with a pasted token and follows calls started and ended through the API', async () => {
    await page.goto(`${origin()}/dashboard`);
    await page.fill('#token', organization.owner.token);
    await page.click('#sign-in button[type=submit]');
    await page.waitForSelector('#connection[data-state=connected]', { timeout: 20_000 });
    await waitForText('active-calls', '0');
    await waitForText('quota', /^\d+ \/ 1000$/);

    for (const callId of ['browser-1', 'browser-2', 'browser-3']) {
      expectNoErrors(
        await api('mutation($c: ID!) { startCall(input: { callId: $c, participants: ["user_a", "user_b"], codec: "opus" }) { callId } }', {
          c: callId,
        }),
      );
    }
    await waitForText('active-calls', '3');
    expect(await textOf('calls-per-minute')).toBe('3');

    const ended = expectNoErrors(
      await api('mutation { endCall(input: { callId: "browser-1", rttMs: 80, jitterMs: 5, packetLossPercent: 0.5 }) { quality { mos } } }'),
    ) as { endCall: { quality: { mos: number } } };
    await waitForText('active-calls', '2');
    await waitForText('average-mos', ended.endCall.quality.mos.toFixed(2));

    expectNoErrors(
      await api(
        'mutation($at: DateTimeISO!) { recordAiUsage(input: { id: "browser-ai", feature: AGENTS, model: "gpt-4o-mini", tokens: 900, occurredAt: $at }) { id } }',
        { at: new Date().toISOString() },
      ),
    );
    await waitForText('ai-calls-per-minute', '1');
    // The ended call's minute reaches billing through the outbox; the quota follows on a later event.
    await waitForText('quota', /^1 \/ 1000$/, 30_000);

    mkdirSync(SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard.png'), fullPage: true });
  }, 90_000);

  it('says so when the token is refused', async () => {
    const other = await browser.newPage();
    await other.goto(`${origin()}/dashboard`);
    await other.fill('#token', 'not.a.token');
    await other.click('#sign-in button[type=submit]');
    await other.waitForSelector('#connection[data-state=error]', { timeout: 10_000 });
    await other.close();
  });
});

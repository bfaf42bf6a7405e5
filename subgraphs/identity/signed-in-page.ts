import { createHash } from 'node:crypto';
import type { Response } from 'express';
import type { IdentityServices } from './services';
import type { SsoSignedIn } from './services/sso-sign-in.service';

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1d2430}' +
  'main{max-width:40rem;margin:3rem auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0002}' +
  'h1{font-size:1.3rem;margin-top:0}dt{color:#5b6577;font-size:.85rem}dd{margin:0 0 .6rem}' +
  'textarea{width:100%;height:7rem;font:12px/1.4 ui-monospace,monospace;word-break:break-all}';
/**
 * No script and no request of its own; the inline style by its hash; no framing; no
 * referrer (the links leave for the explorer and the dashboard); never cached (it holds a token).
 */
const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'`;

/**
 * What a browser that finished an SSO sign-in sees (it asked for HTML; an application asking
 * for JSON gets the tokens): who is signed in, in which organization, and the session's access
 * token to use as a bearer token in the explorer or the live dashboard. The refresh token is
 * not shown: a page is no place to keep it.
 */
export async function sendSignedInPage(res: Response, services: IdentityServices, signedIn: SsoSignedIn): Promise<void> {
  const [user, [organization]] = await Promise.all([
    services.users.findById(signedIn.userId),
    services.organizations.findByIds([signedIn.organizationId]),
  ]);
  const expiresAt = signedIn.accessToken.expiresAt.toISOString().replace(/\.\d+Z$/, 'Z');
  const rows: [string, string, string][] = [
    ['user', 'Signed in as', `${user?.name ? `${user.name} ` : ''}<${user?.email ?? ''}> (${signedIn.userId})`],
    ['organization', 'Organization', `${organization?.name ?? ''} (${signedIn.organizationId})`],
    ['session', 'Session', `${signedIn.sessionId}, access token valid until ${expiresAt}`],
  ];
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>Signed in · AuraLink</title><style>${STYLE}</style></head><body><main>` +
    `<h1>You are signed in${signedIn.provisioned ? ' (your account was created now)' : ''}</h1><dl>` +
    rows.map(([id, label, value]) => `<dt>${label}</dt><dd id="${id}">${escapeHtml(value)}</dd>`).join('') +
    '</dl><p><label for="access-token">Your access token: send it as <code>Authorization: Bearer …</code> in the ' +
    '<a href="/graphql">GraphQL explorer</a> (Headers), or paste it into the <a href="/dashboard">live dashboard</a>. ' +
    'Keep it to yourself: it acts as you until it expires.</label></p>' +
    `<textarea id="access-token" readonly>${escapeHtml(signedIn.accessToken.token)}</textarea>` +
    '</main></body></html>';
  res
    .status(200)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'Referrer-Policy': 'no-referrer',
    })
    .send(html);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

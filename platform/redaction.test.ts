import { REDACTED, redactSecrets } from './redaction';

describe('redactSecrets', () => {
  it('replaces secrets by name at any depth and keeps everything else', () => {
    expect(
      redactSecrets({
        organizationId: 'org_1',
        input: { name: 'Acme', password: 'hunter2', sso: { clientSecret: 'abc', issuer: 'https://idp' } },
        list: [{ stripeSecretKey: 'sk_live' }, { api_key: 'k' }, { planCode: 'PRO' }],
        at: new Date('2026-01-01T00:00:00Z'),
      }),
    ).toEqual({
      organizationId: 'org_1',
      input: { name: 'Acme', password: REDACTED, sso: { clientSecret: REDACTED, issuer: 'https://idp' } },
      list: [{ stripeSecretKey: REDACTED }, { api_key: REDACTED }, { planCode: 'PRO' }],
      at: '2026-01-01T00:00:00.000Z',
    });
  });
});

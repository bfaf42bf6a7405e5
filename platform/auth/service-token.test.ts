import { randomBytes } from 'node:crypto';
import { UnauthenticatedError } from '../errors';
import { ServiceTokens, isServiceToken, withServiceTokens } from './service-token';
import type { Principal } from './principal';

describe('service tokens', () => {
  const tokens = new ServiceTokens(randomBytes(32));

  it('name the service and one organization, for five minutes', () => {
    const now = new Date('2026-05-01T12:00:00Z');
    const token = tokens.sign('compliance', 'org_1', now);
    expect(isServiceToken(token)).toBe(true);
    expect(tokens.verify(token, now)).toEqual({
      userId: 'service:compliance',
      organizationId: 'org_1',
      sessionId: expect.stringMatching(/^svct_/),
      expiresAt: new Date('2026-05-01T12:05:00Z'),
      service: 'compliance',
    });
    expect(() => tokens.verify(token, new Date('2026-05-01T12:06:00Z'))).toThrow('not valid or has expired');
  });

  it('are refused when signed with another key or changed', () => {
    const token = new ServiceTokens(randomBytes(32)).sign('compliance', 'org_1');
    expect(() => tokens.verify(token)).toThrow(UnauthenticatedError);
    const own = tokens.sign('compliance', 'org_1');
    expect(() => tokens.verify(`${own}x`)).toThrow('not valid');
  });

  it('go to their verifier; every other token to the next one', async () => {
    const session: Principal = { userId: 'user_1', organizationId: 'org_1', sessionId: 'sess_1', expiresAt: new Date() };
    const verify = withServiceTokens(async () => session, tokens);
    expect(await verify('eyJhbGciOiJFZERTQSJ9.e30.sig')).toBe(session);
    expect((await verify(tokens.sign('compliance', 'org_2'))).service).toBe('compliance');
  });
});

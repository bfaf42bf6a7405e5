import { AdminNetworks, allowlistContains, parseCidr } from './admin-networks';

const principal = { userId: 'user_a', organizationId: 'org_a', sessionId: 'sess_a', expiresAt: new Date(8_640_000_000_000) };

describe('admin networks', () => {
  it('reads IPv4 and IPv6 networks and single addresses; refuses anything else naming the field', () => {
    expect(parseCidr(' 203.0.113.0/24 ', 'cidrs[0]')).toBe('203.0.113.0/24');
    expect(parseCidr('2001:DB8::/32', 'cidrs[1]')).toBe('2001:db8::/32');
    expect(parseCidr('198.51.100.7', 'cidrs[2]')).toBe('198.51.100.7/32');
    expect(parseCidr('::1', 'cidrs[3]')).toBe('::1/128');
    for (const bad of ['203.0.113.0/33', '2001:db8::/129', '203.0.113/24', 'example.com', '10.0.0.0/8/1', '10.0.0.0/-1', '10.0.0.0/', '']) {
      expect(() => parseCidr(bad, 'cidrs[4]')).toThrow(
        expect.objectContaining({ extensions: { code: 'BAD_USER_INPUT', field: 'cidrs[4]' } }),
      );
    }
  });

  it('matches addresses against the networks, an IPv4 address seen as IPv6 too', () => {
    const cidrs = ['203.0.113.0/24', '2001:db8::/32'];
    expect(allowlistContains(cidrs, '203.0.113.77')).toBe(true);
    expect(allowlistContains(cidrs, '::ffff:203.0.113.77')).toBe(true);
    expect(allowlistContains(cidrs, '2001:db8:1::5')).toBe(true);
    expect(allowlistContains(cidrs, '203.0.114.1')).toBe(false);
    expect(allowlistContains(cidrs, '2001:db9::1')).toBe(false);
    expect(allowlistContains(cidrs, null)).toBe(false);
    expect(allowlistContains(cidrs, 'not-an-address')).toBe(false);
  });

  it('refuses an admin outside the list with IP_NOT_ALLOWED, lets others through, and reads the list again after a change', async () => {
    let stored: string[] = ['203.0.113.0/24'];
    let reads = 0;
    const networks = new AdminNetworks(async () => {
      reads += 1;
      return stored;
    });
    const admin = async () => true;
    await networks.assertAllowed(principal, '203.0.113.9', admin);
    await expect(networks.assertAllowed(principal, '198.51.100.1', admin)).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN', reason: 'IP_NOT_ALLOWED', ip: '198.51.100.1' },
    });
    await networks.assertAllowed(principal, '198.51.100.1', async () => false);
    expect(reads).toBe(1);

    stored = ['198.51.100.0/24'];
    networks.changed('org_a');
    await networks.assertAllowed(principal, '198.51.100.1', admin);
    expect(reads).toBe(2);
    stored = [];
    networks.changed('org_a');
    await networks.assertAllowed(principal, null, admin);
  });
});

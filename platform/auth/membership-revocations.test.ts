import type { MEMBERSHIP_EVENT_TYPES } from '../outbox/event-catalogue';
import type { AnyEvent } from '../outbox/event-catalogue';
import { InProcessTransport } from '../outbox/in-process-transport';
import { MembershipRevocations } from './membership-revocations';
import type { Principal } from './principal';

const ORG = 'org_1';
let sequence = 0;

function event(
  type: (typeof MEMBERSHIP_EVENT_TYPES)[number],
  userId: string,
  status: 'active' | 'suspended' = 'active',
  at = new Date(),
): AnyEvent {
  sequence += 1;
  const membership = { organizationId: ORG, userId, membershipId: `mem_${userId}` };
  const base = { id: `evt_${sequence}`, source: 'identity', sequence, occurredAt: at };
  switch (type) {
    case 'identity.organization.created':
      return { ...base, type, payload: { organizationId: ORG, name: 'Org', creatorUserId: userId, creatorMembershipId: `mem_${userId}` } };
    case 'identity.member.added':
    case 'identity.member.status_changed':
      return { ...base, type, payload: { ...membership, status } } as AnyEvent;
    case 'identity.member.removed':
      return { ...base, type, payload: membership };
  }
}

function principal(userId: string): Principal {
  return { userId, organizationId: ORG, sessionId: 'jti', expiresAt: new Date(Date.now() + 60_000) };
}

async function started(history: AnyEvent[] = []): Promise<MembershipRevocations> {
  const transport = new InProcessTransport();
  transport.addHistory(async () => history);
  const revocations = new MembershipRevocations();
  await revocations.start(transport);
  return revocations;
}

describe('membership revocations', () => {
  it('refuses a suspended or removed member, and lets them in again when reactivated or added back', async () => {
    const revocations = await started();
    revocations.apply(event('identity.member.added', 'user_a'));
    await expect(revocations.assertActive(principal('user_a'))).resolves.toBeUndefined();
    revocations.apply(event('identity.member.status_changed', 'user_a', 'suspended'));
    await expect(revocations.assertActive(principal('user_a'))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    revocations.apply(event('identity.member.status_changed', 'user_a', 'active'));
    await expect(revocations.assertActive(principal('user_a'))).resolves.toBeUndefined();
    revocations.apply(event('identity.member.removed', 'user_a'));
    expect(revocations.isRevoked(ORG, 'user_a')).toBe(true);
    revocations.apply(event('identity.member.added', 'user_a'));
    expect(revocations.isRevoked(ORG, 'user_a')).toBe(false);
  });

  it('keeps the newest state of a membership when its events arrive out of order', async () => {
    const revocations = await started();
    const added = event('identity.member.added', 'user_b');
    const removed = event('identity.member.removed', 'user_b');
    revocations.apply(removed);
    revocations.apply(added);
    expect(revocations.isRevoked(ORG, 'user_b')).toBe(true);
  });

  it('starts from the history it replays, so a restarted process still refuses', async () => {
    const revocations = await started([event('identity.member.added', 'user_c'), event('identity.member.removed', 'user_c')]);
    expect(revocations.isRevoked(ORG, 'user_c')).toBe(true);
  });

  it('tells a watcher when its member is revoked, and stops when told to', async () => {
    const revocations = await started();
    const closed: string[] = [];
    const stop = revocations.watch(principal('user_d'), () => closed.push('user_d'));
    revocations.watch(principal('user_e'), () => closed.push('user_e'));
    revocations.apply(event('identity.member.status_changed', 'user_d', 'suspended'));
    expect(closed).toEqual(['user_d']);
    stop();
    revocations.apply(event('identity.member.status_changed', 'user_d', 'active'));
    revocations.apply(event('identity.member.removed', 'user_d'));
    expect(closed).toEqual(['user_d']);
  });

  it('makes requests wait for the replay at start, and answers unavailable if it never comes', async () => {
    const revocations = new MembershipRevocations({ readyTimeoutMs: 50 });
    await expect(revocations.assertActive(principal('user_f'))).rejects.toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });
});

describe('session revocations', () => {
  it("refuses the tokens of an ended session, and only that session's", async () => {
    const revocations = await started();
    revocations.apply(event('identity.member.added', 'user_s'));
    sequence += 1;
    revocations.apply({
      id: `evt_${sequence}`,
      source: 'identity',
      sequence,
      occurredAt: new Date(),
      type: 'identity.session.revoked',
      payload: { organizationId: ORG, userId: 'user_s', sessionId: 'sess_ended', reason: 'refresh_reuse' },
    });
    await expect(revocations.assertActive({ ...principal('user_s'), sessionId: 'sess_ended' })).rejects.toMatchObject({
      code: 'UNAUTHENTICATED',
    });
    await expect(revocations.assertActive({ ...principal('user_s'), sessionId: 'sess_other' })).resolves.toBeUndefined();
  });
});

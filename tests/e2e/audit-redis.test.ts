import { expectError, expectNoErrors } from '../kit/client';
import { eventually } from '../kit/eventually';
import { TEST_REDIS_URL, startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

let supergraph: TestSupergraph;

beforeAll(async () => {
  supergraph = await startTestSupergraph({ REDIS_URL: TEST_REDIS_URL });
});
afterAll(async () => {
  await supergraph?.stop();
});

describe('the audit log with Redis (facts over Redis Streams, decisions from the decision stream)', () => {
  it('records refused permissions from the decision stream and the mutations’ outcomes (identity’s through its outbox)', async () => {
    const organization = await supergraph.seed.org({ name: 'Audited over Redis' }).withMember({ role: 'role_guest' }).create();
    const organizationId = organization.organization.id;
    const guest = organization.members[0]!;
    expectError(
      await supergraph.gateway(
        'mutation($o: ID!) { setAuditRetention(organizationId: $o, retentionDays: 7) { retentionDays } }',
        { o: organizationId },
        { token: guest.token },
      ),
      'FORBIDDEN',
    );
    expectError(
      await supergraph.gateway(
        'mutation($id: ID!) { updateOrganization(id: $id, input: { name: "Taken" }) { id } }',
        { id: organizationId },
        { token: guest.token },
      ),
      'FORBIDDEN',
    );
    const actions = await eventually(async () => {
      const { auditLogs } = expectNoErrors(
        await supergraph.gateway<
          { auditLogs: { nodes: { action: string; outcome: string; source: string; actor: { id: string } }[] } },
          { o: string }
        >(
          'query($o: ID!) { auditLogs(organizationId: $o, filter: { outcomes: [DENIED] }) { nodes { action outcome source actor { id } } } }',
          { o: organizationId },
          { token: organization.owner.token },
        ),
      );
      return auditLogs.nodes.length >= 4 ? auditLogs.nodes : undefined;
    }, 'both refusals in the audit log twice: the decision and the mutation');
    expect(actions.map((n) => [n.action, n.source, n.actor.id]).sort()).toEqual(
      [
        ['audit.mutation.setAuditRetention', 'audit', guest.user.id],
        ['authz.permission.deny', 'authz.decisions', guest.user.id],
        ['identity.mutation.updateOrganization', 'identity', guest.user.id],
        ['authz.permission.deny', 'authz.decisions', guest.user.id],
      ].sort(),
    );
  });
});

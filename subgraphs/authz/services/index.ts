import { Outbox } from '../../../platform/outbox/outbox';
import type { SubgraphDependencies } from '../../../platform/subgraph';
import { AccessReviewRevocationService } from './access-review-revocation.service';
import { AssignmentService } from './assignment.service';
import { DecisionService } from './decision.service';
import { MembershipService } from './membership.service';
import { PolicyWriter } from './policy-writer';
import { RoleProvisioningService } from './role-provisioning.service';
import { RoleService } from './role.service';

export interface AuthzServices {
  roles: RoleService;
  assignments: AssignmentService;
  decisions: DecisionService;
  memberships: MembershipService;
  provisioning: RoleProvisioningService;
  /** Access reviews' revoke requests (compliance's facts) applied to the policy. */
  reviewRevocations: AccessReviewRevocationService;
}

/** Authz's services; every change to roles and assignments is a fact in authz's outbox, written with it. */
export function createAuthzServices({
  dataSource,
  access,
  messaging,
}: Pick<SubgraphDependencies, 'dataSource' | 'access'> & Partial<Pick<SubgraphDependencies, 'messaging'>>): AuthzServices {
  const outbox = new Outbox(messaging);
  const writer = new PolicyWriter(dataSource, access.authorizer);
  const roles = new RoleService(dataSource, access.authorizer, writer, outbox);
  const memberships = new MembershipService(dataSource);
  const assignments = new AssignmentService(access.authorizer, writer, roles, memberships, outbox);
  return {
    roles,
    assignments,
    decisions: new DecisionService(access.authorizer, memberships),
    memberships,
    provisioning: new RoleProvisioningService(writer, memberships, assignments),
    reviewRevocations: new AccessReviewRevocationService(writer, assignments),
  };
}

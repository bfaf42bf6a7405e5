import type { SubgraphDependencies } from '../../../platform/subgraph';
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
}

export function createAuthzServices({ dataSource, access }: Pick<SubgraphDependencies, 'dataSource' | 'access'>): AuthzServices {
  const writer = new PolicyWriter(dataSource, access.authorizer);
  const roles = new RoleService(dataSource, access.authorizer, writer);
  const memberships = new MembershipService(dataSource);
  const assignments = new AssignmentService(access.authorizer, writer, roles, memberships);
  return {
    roles,
    assignments,
    decisions: new DecisionService(access.authorizer, memberships),
    memberships,
    provisioning: new RoleProvisioningService(writer, memberships, assignments),
  };
}

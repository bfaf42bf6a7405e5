import type { SubgraphDependencies } from '../../../platform/subgraph';
import { AssignmentService } from './assignment.service';
import { DecisionService } from './decision.service';
import { everyRoleHolderIsMember } from './membership-view';
import { PolicyWriter } from './policy-writer';
import { RoleService } from './role.service';

export interface AuthzServices {
  roles: RoleService;
  assignments: AssignmentService;
  decisions: DecisionService;
}

export function createAuthzServices({ dataSource, access }: Pick<SubgraphDependencies, 'dataSource' | 'access'>): AuthzServices {
  const writer = new PolicyWriter(dataSource, access.authorizer);
  const roles = new RoleService(dataSource, access.authorizer, writer);
  return {
    roles,
    assignments: new AssignmentService(access.authorizer, writer, roles, everyRoleHolderIsMember),
    decisions: new DecisionService(access.authorizer),
  };
}

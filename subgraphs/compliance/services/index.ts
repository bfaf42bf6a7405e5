import type { SubgraphDependencies } from '../../../platform/subgraph';
import { ConsentService } from './consent.service';
import { MembershipService } from './membership.service';

export interface ComplianceServices {
  memberships: MembershipService;
  consents: ConsentService;
}

export function createComplianceServices(dependencies: Pick<SubgraphDependencies, 'dataSource'>): ComplianceServices {
  const { dataSource } = dependencies;
  const memberships = new MembershipService(dataSource);
  return {
    memberships,
    consents: new ConsentService(dataSource, memberships),
  };
}

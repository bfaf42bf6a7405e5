import { Outbox } from '../../../platform/outbox/outbox';
import type { SubgraphDependencies } from '../../../platform/subgraph';
import { ConsentService } from './consent.service';
import { LegalHoldService } from './legal-hold.service';
import { MembershipService } from './membership.service';

export interface ComplianceServices {
  memberships: MembershipService;
  consents: ConsentService;
  legalHolds: LegalHoldService;
}

/** Compliance's services: holds are told to the other subgraphs through compliance's outbox. */
export function createComplianceServices(
  dependencies: Pick<SubgraphDependencies, 'dataSource'> & Partial<Pick<SubgraphDependencies, 'messaging'>>,
): ComplianceServices {
  const { dataSource } = dependencies;
  const memberships = new MembershipService(dataSource);
  return {
    memberships,
    consents: new ConsentService(dataSource, memberships),
    legalHolds: new LegalHoldService(dataSource, new Outbox(dependencies.messaging), memberships),
  };
}

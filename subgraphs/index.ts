import { analyticsSubgraph } from './analytics';
import { auditSubgraph } from './audit';
import { authzSubgraph } from './authz';
import { billingSubgraph } from './billing';
import { complianceSubgraph } from './compliance';
import { identitySubgraph } from './identity';
import type { SubgraphName } from '../platform/config';
import type { SubgraphDefinition } from '../platform/subgraph';

/** Every subgraph, by name, in start-up order. */
export const SUBGRAPHS: Record<SubgraphName, SubgraphDefinition<any, any>> = {
  identity: identitySubgraph,
  authz: authzSubgraph,
  audit: auditSubgraph,
  billing: billingSubgraph,
  compliance: complianceSubgraph,
  analytics: analyticsSubgraph,
};

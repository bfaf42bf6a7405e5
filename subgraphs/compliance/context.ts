import type { SubgraphContext } from '../../platform/context';
import type { ComplianceServices } from './services';

export type ComplianceContext = SubgraphContext<ComplianceServices, Record<string, never>>;

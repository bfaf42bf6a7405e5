import type { SubgraphContext } from '../../platform/context';
import type { AuditServices } from './services';

export type AuditContext = SubgraphContext<AuditServices, Record<string, never>>;

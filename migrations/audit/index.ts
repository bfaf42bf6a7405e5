import type { MigrationClass } from '../../platform/database';
import { AuditTrail1796194328019 } from './1796194328019-AuditTrail';

/** Applied in this order. */
export const auditMigrations: MigrationClass[] = [AuditTrail1796194328019];

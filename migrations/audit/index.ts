import type { MigrationClass } from '../../platform/database';
import { AuditTrail1796194328019 } from './1796194328019-AuditTrail';
import { SiemSinks1796195924409 } from './1796195924409-SiemSinks';

/** Applied in this order. */
export const auditMigrations: MigrationClass[] = [AuditTrail1796194328019, SiemSinks1796195924409];

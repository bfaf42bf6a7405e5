import type { MigrationClass } from '../../platform/database';

/** Applied in this order. */
export const auditMigrations: MigrationClass[] = [];

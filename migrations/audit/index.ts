import type { MigrationClass } from '../../subgraphs/kernel/database';

/** Applied in this order. */
export const auditMigrations: MigrationClass[] = [];

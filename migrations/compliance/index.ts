import type { MigrationClass } from '../../platform/database';
import { ConsentRecords1796304549975 } from './1796304549975-ConsentRecords';

/** Applied in this order. */
export const complianceMigrations: MigrationClass[] = [ConsentRecords1796304549975];

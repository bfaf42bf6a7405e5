import type { MigrationClass } from '../../platform/database';
import { Initial1795320698582 } from './1795320698582-Initial';

/** Applied in this order. */
export const analyticsMigrations: MigrationClass[] = [Initial1795320698582];

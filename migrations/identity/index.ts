import { Initial1795315811366 } from './1795315811366-Initial';

/** Applied in this order. */
export const identityMigrations = [Initial1795315811366];

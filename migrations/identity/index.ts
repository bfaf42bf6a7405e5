import { Initial1795315811366 } from './1795315811366-Initial';
import { AddInvitations1795345978932 } from './1795345978932-AddInvitations';

/** Applied in this order. */
export const identityMigrations = [Initial1795315811366, AddInvitations1795345978932];

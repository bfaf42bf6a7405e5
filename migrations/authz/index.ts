import type { MigrationClass } from '../../platform/database';
import { Initial1795318450072 } from './1795318450072-Initial';
import { SeedSystemRoles1795318450073 } from './1795318450073-SeedSystemRoles';
import { MembershipProjection1795345597211 } from './1795345597211-MembershipProjection';
import { AuditPermissionsAndOutbox1796194328020 } from './1796194328020-AuditPermissionsAndOutbox';
import { JobsPermission1796287001908 } from './1796287001908-JobsPermission';
import { ApiKeyPermission1796300000000 } from './1796300000000-ApiKeyPermission';
import { SsoPermission1796304274433 } from './1796304274433-SsoPermission';
import { SessionsPermission1796304341927 } from './1796304341927-SessionsPermission';
import { ConsentPermissions1796304359474 } from './1796304359474-ConsentPermissions';
import { RoleAssignmentFacts1796612345001 } from './1796612345001-RoleAssignmentFacts';

/** Applied in this order. */
export const authzMigrations: MigrationClass[] = [
  Initial1795318450072,
  SeedSystemRoles1795318450073,
  MembershipProjection1795345597211,
  AuditPermissionsAndOutbox1796194328020,
  JobsPermission1796287001908,
  ApiKeyPermission1796300000000,
  SsoPermission1796304274433,
  SessionsPermission1796304341927,
  ConsentPermissions1796304359474,
  RoleAssignmentFacts1796612345001,
];

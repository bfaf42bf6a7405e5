import { Initial1795315811366 } from './1795315811366-Initial';
import { Outbox1795345594713 } from './1795345594713-Outbox';
import { AddInvitations1795345978932 } from './1795345978932-AddInvitations';
import { AddSessions1795400000000 } from './1795400000000-AddSessions';
import { AddApiKeys1795500000000 } from './1795500000000-AddApiKeys';
import { AddSsoConfigs1796304297710 } from './1796304297710-AddSsoConfigs';
import { AddSessionPolicies1796305302554 } from './1796305302554-AddSessionPolicies';
import { ApiKeyOperations1796305684547 } from './1796305684547-ApiKeyOperations';
import { AddAdminIpAllowlists1796306443723 } from './1796306443723-AddAdminIpAllowlists';
import { ApiKeyLimits1796306500000 } from './1796306500000-ApiKeyLimits';
import { AddMfaAndLockouts1796400000000 } from './1796400000000-AddMfaAndLockouts';
import { ProcessedEvents1796400000001 } from './1796400000001-ProcessedEvents';

/** Applied in this order. */
export const identityMigrations = [
  Initial1795315811366,
  Outbox1795345594713,
  AddInvitations1795345978932,
  AddSessions1795400000000,
  AddApiKeys1795500000000,
  AddSsoConfigs1796304297710,
  AddSessionPolicies1796305302554,
  ApiKeyOperations1796305684547,
  AddAdminIpAllowlists1796306443723,
  ApiKeyLimits1796306500000,
  AddMfaAndLockouts1796400000000,
  ProcessedEvents1796400000001,
];

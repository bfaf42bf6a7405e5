import DataLoader from 'dataloader';
import type { AuthzServices } from './services';
import type { RoleView } from './services/role.service';

export interface AuthzLoaders {
  /** The roles of an organization (system ones included), once per request. */
  rolesByOrganization: DataLoader<string, RoleView[]>;
}

export function createAuthzLoaders(services: AuthzServices): AuthzLoaders {
  return {
    rolesByOrganization: new DataLoader((organizationIds) => Promise.all(organizationIds.map((id) => services.roles.list(id)))),
  };
}

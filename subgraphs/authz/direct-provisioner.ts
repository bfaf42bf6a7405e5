import type { AccessProvisioner } from '../../platform/authorization/access-provisioner';
import type { AuthzServices } from './services';

/** Identity's provisioner within one process, writing through authz's services (the demo loader, tests). */
export function directProvisioner(services: Pick<AuthzServices, 'assignments'>): AccessProvisioner {
  return {
    grant: async (organizationId, userId, roleId) => {
      await services.assignments.grant(organizationId, { userId, roleId });
    },
    revokeAll: (organizationId, userId) => services.assignments.revokeAll(organizationId, userId),
  };
}

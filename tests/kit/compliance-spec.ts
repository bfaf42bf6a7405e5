import type { DataSource } from 'typeorm';
import { formatPermission } from '../../platform/authorization/permissions';
import type { Permission } from '../../platform/authorization/permissions';
import { createDataSource } from '../../platform/database';
import { ForbiddenError } from '../../platform/errors';
import { complianceSubgraph } from '../../subgraphs/compliance';
import type { Caller } from '../../subgraphs/compliance/services/caller';
import { createComplianceServices } from '../../subgraphs/compliance/services';
import type { ComplianceServices } from '../../subgraphs/compliance/services';
import { createTestDatabase } from './database';

/** Compliance's services over a database of its own, made from the migrated template, for one spec file. */
export interface ComplianceSpec {
  dataSource: DataSource;
  services: ComplianceServices;
  /** Closes the pool and drops the database. */
  close(): Promise<void>;
}

type SpecDependencies = Omit<Parameters<typeof createComplianceServices>[0], 'dataSource'>;

export async function openComplianceSpec(applicationName: string, dependencies: SpecDependencies = {}): Promise<ComplianceSpec> {
  const database = await createTestDatabase();
  try {
    const dataSource = await createDataSource(complianceSubgraph.storage, { url: database.url, poolMax: 4, applicationName }).initialize();
    return {
      dataSource,
      services: createComplianceServices({ dataSource, ...dependencies }),
      close: async () => {
        await dataSource.destroy();
        await database.drop();
      },
    };
  } catch (error) {
    await database.drop();
    throw error;
  }
}

/** A caller of the organization holding only `permissions` (`resource:action`): any other it is asked for is FORBIDDEN. */
export function callerWith(organizationId: string, userId: string, permissions: readonly string[] = []): Caller {
  return {
    principal: { userId, organizationId, sessionId: 'jti', expiresAt: new Date(Date.now() + 60_000) },
    require: async (permission: Permission) => {
      const wanted = formatPermission(permission);
      if (!permissions.includes(wanted)) throw new ForbiddenError(`Permission ${wanted} is required`, { requiredPermission: wanted });
    },
  };
}

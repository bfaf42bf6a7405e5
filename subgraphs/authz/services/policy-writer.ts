import type { DataSource, EntityManager } from 'typeorm';
import type { Authorizer } from '../../../platform/authorization/authorizer';

/**
 * Every write to the policy goes through here: one transaction per organization at a
 * time (an advisory lock, so checks like "the last owner" cannot race), then, once it
 * has committed, every process is told to forget its cached policy.
 */
export class PolicyWriter {
  constructor(
    private readonly dataSource: DataSource,
    private readonly authorizer: Authorizer,
  ) {}

  async change<T>(organizationId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const result = await this.dataSource.transaction(async (manager) => {
      await this.lock(manager, organizationId);
      return work(manager);
    });
    await this.authorizer.policyChanged();
    return result;
  }

  /** For a transaction opened elsewhere (an event consumer's): changes to this organization's policy wait for it. Call `changed` after it commits. */
  async lock(manager: EntityManager, organizationId: string): Promise<void> {
    await manager.query(`SELECT pg_advisory_xact_lock(hashtext('authz:' || $1))`, [organizationId]);
  }

  async changed(): Promise<void> {
    await this.authorizer.policyChanged();
  }
}

import { OrganizationPolicy } from './organization-policy';
import type { PolicySource } from './policy-store';
import type { PolicyWatcher } from './policy-watcher';

export interface AuthorizerOptions {
  source: PolicySource;
  watcher: PolicyWatcher;
  /** Organizations whose policy is kept in memory; the least recently loaded go first. */
  maxOrganizations?: number;
  /** A cached policy is reloaded after this long even without a change message (a missed message heals). */
  maxAgeMs?: number;
  clock?: () => number;
}

interface CachedPolicy {
  policy: Promise<OrganizationPolicy>;
  loadedAt: number;
}

/**
 * The decision point every subgraph shares (one per process). It loads an organization's
 * policy from the Casbin table on first use and answers from memory after that. When
 * the watcher reports a change, cached policies are dropped; the next request loads a
 * fresh one aside (requests already holding the old one finish with it), so no check is
 * ever answered from a half-loaded policy.
 */
export class Authorizer {
  private readonly cache = new Map<string, CachedPolicy>();
  private readonly maxOrganizations: number;
  private readonly maxAgeMs: number;
  private readonly clock: () => number;

  constructor(private readonly options: AuthorizerOptions) {
    this.maxOrganizations = options.maxOrganizations ?? 10_000;
    this.maxAgeMs = options.maxAgeMs ?? 60_000;
    this.clock = options.clock ?? Date.now;
    options.watcher.onChange(() => this.cache.clear());
  }

  now(): number {
    return this.clock();
  }

  policyFor(organizationId: string): Promise<OrganizationPolicy> {
    const now = this.clock();
    const cached = this.cache.get(organizationId);
    if (cached && now - cached.loadedAt < this.maxAgeMs) return cached.policy;
    const policy = this.options.source.loadOrganization(organizationId).then((rules) => new OrganizationPolicy(organizationId, rules));
    const entry = { policy, loadedAt: now };
    this.cache.delete(organizationId);
    this.cache.set(organizationId, entry);
    // A failed load is not remembered: the next request tries again.
    policy.catch(() => {
      if (this.cache.get(organizationId) === entry) this.cache.delete(organizationId);
    });
    if (this.cache.size > this.maxOrganizations) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return policy;
  }

  /**
   * The organization's policy read from the table now, past the cache: for rules that must
   * not act on a copy another process may just have changed (the last owner).
   */
  async currentPolicy(organizationId: string): Promise<OrganizationPolicy> {
    return new OrganizationPolicy(organizationId, await this.options.source.loadOrganization(organizationId));
  }

  async allows(userId: string, organizationId: string, resource: string, action: string): Promise<boolean> {
    const policy = await this.policyFor(organizationId);
    return policy.allows(userId, resource, action, this.clock());
  }

  /**
   * After a write to the policy table has committed: this process forgets at once,
   * every other one when the watcher's message reaches it.
   */
  async policyChanged(): Promise<void> {
    this.cache.clear();
    await this.options.watcher.notify();
  }

  async close(): Promise<void> {
    this.cache.clear();
    await this.options.watcher.close();
  }
}

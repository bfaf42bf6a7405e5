import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { InProcessEntitlementCounter, RedisEntitlementCounter } from '../entitlements/entitlement-counter';
import type { EntitlementCounter } from '../entitlements/entitlement-counter';
import type { Logger } from '../logger';
import { Authorizer } from './authorizer';
import { InProcessDecisionLog, RedisDecisionLog } from './decision-log';
import type { DecisionLog } from './decision-log';
import { DatabasePolicySource } from './policy-store';
import { InProcessPolicyWatcher, RedisPolicyWatcher } from './policy-watcher';

/** What a process needs to decide and record access: shared by every subgraph it serves. */
export interface AccessControl {
  authorizer: Authorizer;
  decisions: DecisionLog;
  /** The plan counters `@requiresEntitlement` reads (billing writes them). */
  entitlements: EntitlementCounter;
  close(): Promise<void>;
}

/**
 * Reads the policy through `dataSource` (any subgraph's connection: the policy table is
 * the one shared read). With REDIS_URL, changes reach every process through Redis and
 * decisions go to a Redis stream; without it, both stay in this process.
 */
export async function createAccessControl(config: Config, dataSource: DataSource, logger: Logger): Promise<AccessControl> {
  const watcher = config.redisUrl ? await RedisPolicyWatcher.connect(config.redisUrl) : new InProcessPolicyWatcher();
  const authorizer = new Authorizer({ source: new DatabasePolicySource(dataSource), watcher });
  const decisions = config.redisUrl
    ? new RedisDecisionLog(config.redisUrl, config.authz.decisionLog, logger, config.audit.decisionStream)
    : new InProcessDecisionLog(config.authz.decisionLog);
  const entitlements = config.redisUrl ? new RedisEntitlementCounter(config.redisUrl) : new InProcessEntitlementCounter();
  return {
    authorizer,
    decisions,
    entitlements,
    close: async () => {
      await authorizer.close();
      await decisions.close();
      await entitlements.close();
    },
  };
}

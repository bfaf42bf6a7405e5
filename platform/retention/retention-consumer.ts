import type { EntityManager } from 'typeorm';
import type { SubgraphName } from '../config';
import type { EventConsumer } from '../outbox/consumer';
import type { Outbox } from '../outbox/outbox';
import type { RetentionAction, RetentionCategory } from './retention-categories';
import { RETENTION_CATEGORIES } from './retention-categories';

/** What one category's owner is asked to clean up: the organization's records from before `cutoff`, except the held people's. */
export interface RetentionScope {
  organizationId: string;
  cutoff: Date;
  action: RetentionAction;
  /** People an active legal hold covers: nothing of theirs goes. */
  heldUserIds: string[];
  /** Count only: nothing changes. */
  dryRun: boolean;
}

/** Records that went (or, in a dry run, would go), and records past the cutoff a hold kept. */
export interface RetentionOutcome {
  affected: number;
  held: number;
}

export type RetentionHandler = (manager: EntityManager, scope: RetentionScope) => Promise<RetentionOutcome>;

/**
 * The consumer each owner of a data category runs (`<owner>.retention`): it applies
 * compliance's `compliance.retention.requested` to its own tables and tells compliance what
 * it did (`retention.applied`), both in the transaction that records the request as processed.
 *
 * Why a request fact rather than each owner reading the policies from a projection and running
 * its own schedule: the existing consumers already apply one fact exactly once in their own
 * transaction (processed_events), so the deletion, its report and the inbox row commit
 * together; a run's cutoffs and held people are fixed by compliance when it starts, with the
 * holds it alone knows, and a dry run is answered by the very statement that would delete; and
 * the schedule, the holds and the runs' history stay in one place instead of five copies of the
 * policies.
 */
export function retentionConsumer(
  owner: SubgraphName,
  outbox: Outbox,
  handlers: Partial<Record<RetentionCategory, RetentionHandler>>,
): EventConsumer {
  return {
    name: `${owner}.retention`,
    handles: ['compliance.retention.requested'],
    apply: async (event, manager) => {
      if (event.type !== 'compliance.retention.requested') return;
      const { organizationId, runId, dryRun, heldUserIds } = event.payload;
      for (const { category, action, cutoff } of event.payload.categories) {
        // Each owner answers for its own categories; the others are another consumer's.
        const handler = RETENTION_CATEGORIES[category]?.owner === owner ? handlers[category] : undefined;
        if (!handler) continue;
        const outcome = await handler(manager, { organizationId, cutoff: new Date(cutoff), action, heldUserIds, dryRun });
        await outbox.add(manager, {
          type: 'retention.applied',
          payload: { organizationId, runId, category, action, dryRun, affected: outcome.affected, held: outcome.held },
        });
      }
    },
  };
}

/**
 * Deletes (or counts, in a dry run) the rows of `table` that `candidates` selects, except
 * those `held` is true for, in one statement: the dry run and the deletion count the same rows.
 * `candidates` and `held` are SQL over the table's columns, with `$1` the organization,
 * `$2` the cutoff and `$3` the held people (text[]).
 */
export async function deletePastRetention(
  manager: EntityManager,
  scope: RetentionScope,
  sql: { table: string; candidates: string; held: string },
): Promise<RetentionOutcome> {
  const [row] = (await manager.query(
    // `scope` names every parameter once with its type, whichever the category's SQL uses.
    `WITH scope AS (SELECT $1::varchar AS organization_id, $2::timestamptz AS cutoff, $3::varchar[] AS held_user_ids, $4::boolean AS dry_run),
          candidates AS (SELECT t.ctid AS row_id, (${sql.held}) AS held FROM ${sql.table} t WHERE ${sql.candidates}),
          gone AS (DELETE FROM ${sql.table} t USING candidates c WHERE t.ctid = c.row_id AND NOT c.held AND NOT $4::boolean RETURNING 1)
     SELECT (SELECT count(*) FROM candidates WHERE NOT held)::int AS would,
            (SELECT count(*) FROM gone)::int AS gone,
            (SELECT count(*) FROM candidates WHERE held)::int AS held`,
    [scope.organizationId, scope.cutoff, scope.heldUserIds, scope.dryRun],
  )) as { would: number; gone: number; held: number }[];
  return { affected: scope.dryRun ? row.would : row.gone, held: row.held };
}

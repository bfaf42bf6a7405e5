import { BadUserInputError } from '../../../platform/errors';
import { OUTCOMES, SEVERITIES } from './audit-event';
import type { Outcome, Severity } from './audit-event';

/** What `auditLogs`, `auditStats` and exports narrow events by; every part optional, all must hold. */
export interface AuditFilter {
  actorId?: string | null;
  actorType?: string | null;
  /** `billing.` matches every billing action; `billing.subscription.cancel` that one. */
  actionPrefix?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  severities?: Severity[] | null;
  outcomes?: Outcome[] | null;
  /** When recorded, inclusive; both UTC. */
  from?: Date | null;
  to?: Date | null;
  /** Case-insensitive text in the action, the actor's id or name, or a target's id. */
  search?: string | null;
}

export interface FilterSql {
  /** A condition over `audit.events` columns, starting with the organization. */
  where: string;
  params: unknown[];
}

const MAX_SEARCH = 100;

/**
 * The text `search` looks in, as one expression: the one `events_search_idx` indexes (trigrams,
 * migration SearchTrigramIndex1796592000001). Changing it here needs that index made again.
 */
export const SEARCH_TEXT = `(action || ' ' || coalesce(actor_id, '') || ' ' || coalesce(actor_name, '') || ' ' || targets::text)`;

function likeEscape(text: string): string {
  return text.replace(/[\\%_]/g, (match) => `\\${match}`);
}

/** The filter as SQL, with `$n` parameters numbered from `firstParam`; BAD_USER_INPUT names `filter.<field>`. */
export function filterSql(organizationId: string, given: AuditFilter = {}, firstParam = 1): FilterSql {
  // GraphQL enums may arrive by name (`DENIED`): the stored values are lower case.
  const filter: AuditFilter = {
    ...given,
    actorType: given.actorType?.toLowerCase() ?? null,
    severities: given.severities?.map((s) => s.toLowerCase() as Severity) ?? null,
    outcomes: given.outcomes?.map((o) => o.toLowerCase() as Outcome) ?? null,
  };
  const params: unknown[] = [organizationId];
  const next = (value: unknown) => {
    params.push(value);
    return `$${firstParam + params.length - 1}`;
  };
  const conditions = [`organization_id = $${firstParam}`];
  if (filter.actorId) conditions.push(`actor_id = ${next(filter.actorId)}`);
  if (filter.actorType) conditions.push(`actor_type = ${next(filter.actorType)}`);
  if (filter.actionPrefix) {
    if (filter.actionPrefix.length > 200) throw new BadUserInputError('filter.actionPrefix: at most 200 characters', 'filter.actionPrefix');
    conditions.push(`action LIKE ${next(`${likeEscape(filter.actionPrefix)}%`)}`);
  }
  if (filter.targetId || filter.targetType) {
    const target: Record<string, string> = {};
    if (filter.targetType) target.type = filter.targetType;
    if (filter.targetId) target.id = filter.targetId;
    conditions.push(`targets @> ${next(JSON.stringify([target]))}::jsonb`);
  }
  if (filter.severities?.length) {
    if (filter.severities.some((s) => !SEVERITIES.includes(s)))
      throw new BadUserInputError(`filter.severities: each one of ${SEVERITIES.join(', ')}`, 'filter.severities');
    conditions.push(`severity = ANY(${next(filter.severities)})`);
  }
  if (filter.outcomes?.length) {
    if (filter.outcomes.some((o) => !OUTCOMES.includes(o)))
      throw new BadUserInputError(`filter.outcomes: each one of ${OUTCOMES.join(', ')}`, 'filter.outcomes');
    conditions.push(`outcome = ANY(${next(filter.outcomes)})`);
  }
  if (filter.from && filter.to && filter.from > filter.to) throw new BadUserInputError('filter.from: after filter.to', 'filter.from');
  if (filter.from) conditions.push(`recorded_at >= ${next(filter.from)}`);
  if (filter.to) conditions.push(`recorded_at <= ${next(filter.to)}`);
  if (filter.search) {
    if (filter.search.length > MAX_SEARCH) throw new BadUserInputError(`filter.search: at most ${MAX_SEARCH} characters`, 'filter.search');
    const pattern = next(`%${likeEscape(filter.search)}%`);
    // The first test can use the trigram index of SEARCH_TEXT; the second keeps a match inside one field.
    conditions.push(
      `${SEARCH_TEXT} ILIKE ${pattern} AND (action ILIKE ${pattern} OR actor_id ILIKE ${pattern} OR actor_name ILIKE ${pattern} OR targets::text ILIKE ${pattern})`,
    );
  }
  return { where: conditions.join(' AND '), params };
}

import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, ConflictError } from '../../../platform/errors';
import { isId, newId, parseId } from '../../../platform/ids';
import { redactSecrets } from '../../../platform/redaction';
import { ACTOR_TYPES, GENESIS_HASH, OUTCOMES, SEVERITIES, chainHash } from './audit-event';
import type { ActorType, AuditEvent, AuditEventInput, Outcome, Severity } from './audit-event';
import { canonicalJson } from './canonical-json';
import { ensurePartitions, isMissingPartition } from './partitions';

export const MAX_INGEST_BATCH = 1_000;
const MAX_TARGETS = 20;
const MAX_JSON_BYTES = 16 * 1024;
/** A writer's clock may run ahead a little; an event further in the future is refused. */
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const ACTION = /^[a-z][a-z0-9_]*(\.[a-zA-Z0-9_]+){1,5}$/;
const TARGET_TYPE = /^[a-z][a-z_]{0,39}$/;

/** What recording one event did: its place in the chain, or that its id was recorded before. */
export interface RecordedEvent {
  id: string;
  organizationId: string;
  sequence: number;
  duplicate: boolean;
}

/** Told about events once they are committed (security rules, live listeners); never delays the acknowledgement. */
export type CommittedListener = (events: readonly AuditEvent[]) => void;

/**
 * Appends events to their organizations' hash chains. One batch is one transaction: it
 * locks the chain heads of the organizations it touches (in id order, so two batches never
 * deadlock), so events of one organization are numbered and chained one batch after another
 * while batches of other organizations commit in parallel. An id recorded before is skipped
 * (idempotent ingest); the promise resolves only after COMMIT, so an acknowledged event is
 * durable (PostgreSQL's synchronous commit).
 */
export class IngestService {
  private readonly listeners: CommittedListener[] = [];

  constructor(private readonly dataSource: DataSource) {}

  onCommitted(listener: CommittedListener): void {
    this.listeners.push(listener);
  }

  /** A caller's batch (`recordAuditEvents`): every event of their token's organization, written by the API. */
  async recordFor(principal: Principal, inputs: readonly Omit<AuditEventInput, 'source'>[]): Promise<RecordedEvent[]> {
    inputs.forEach((input, index) => assertOwnOrganization(principal, input.organizationId, `events.${index}.organizationId`));
    return this.record(inputs.map((input) => ({ ...input, source: 'api' })));
  }

  /** In a transaction of its own; a missing month partition is created and the batch tried again once. */
  async record(inputs: readonly AuditEventInput[], field = 'events'): Promise<RecordedEvent[]> {
    const events = prepare(inputs, field);
    let stored: { results: RecordedEvent[]; events: AuditEvent[] };
    try {
      stored = await this.dataSource.transaction((manager) => this.append(manager, events));
    } catch (error) {
      if (!isMissingPartition(error)) throw error;
      await ensurePartitions(this.dataSource);
      stored = await this.dataSource.transaction((manager) => this.append(manager, events));
    }
    this.committed(stored.events);
    return stored.results;
  }

  /**
   * In the caller's transaction (a consumer applying an outbox fact with its inbox row). The
   * caller tells `committed` once that transaction has committed.
   */
  async recordIn(manager: EntityManager, inputs: readonly AuditEventInput[]): Promise<{ results: RecordedEvent[]; events: AuditEvent[] }> {
    const events = prepare(inputs, 'events');
    // The caller's transaction cannot be retried after a failed insert: make sure of this month's partition first (its own transaction).
    await this.partitionsForThisMonth();
    return this.append(manager, events);
  }

  private partitionsChecked: { month: string; ready: Promise<unknown> } | null = null;

  private partitionsForThisMonth(): Promise<unknown> {
    const month = new Date().toISOString().slice(0, 7);
    if (this.partitionsChecked?.month !== month) {
      const ready = ensurePartitions(this.dataSource).catch((error: unknown) => {
        this.partitionsChecked = null;
        throw error;
      });
      this.partitionsChecked = { month, ready };
    }
    return this.partitionsChecked.ready;
  }

  committed(events: readonly AuditEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.listeners) listener(events);
  }

  private async append(manager: EntityManager, events: PreparedEvent[]): Promise<{ results: RecordedEvent[]; events: AuditEvent[] }> {
    const organizations = [...new Set(events.map((event) => event.organizationId))].sort();
    await manager.query(
      `INSERT INTO audit.chain_heads (organization_id, sequence, hash) SELECT unnest($1::text[]), 0, $2 ON CONFLICT DO NOTHING`,
      [organizations, GENESIS_HASH],
    );
    const heads = (await manager.query(
      `SELECT organization_id, sequence, hash FROM audit.chain_heads WHERE organization_id = ANY($1) ORDER BY organization_id FOR UPDATE`,
      [organizations],
    )) as { organization_id: string; sequence: string; hash: string }[];
    const head = new Map(heads.map((row) => [row.organization_id, { sequence: Number(row.sequence), hash: row.hash }]));
    const known = new Map(
      (
        (await manager.query(`SELECT id, organization_id, sequence FROM audit.event_ids WHERE id = ANY($1)`, [
          events.map((event) => event.id),
        ])) as { id: string; organization_id: string; sequence: string }[]
      ).map((row) => [row.id, row]),
    );

    const recordedAt = new Date();
    const results: RecordedEvent[] = [];
    const fresh: AuditEvent[] = [];
    const seen = new Map<string, RecordedEvent>();
    for (const event of events) {
      const before = known.get(event.id);
      if (before) {
        if (before.organization_id !== event.organizationId) throw new ConflictError(`Audit event id "${event.id}" is taken`, 'id');
        results.push({ id: event.id, organizationId: event.organizationId, sequence: Number(before.sequence), duplicate: true });
        continue;
      }
      const again = seen.get(event.id);
      if (again) {
        results.push({ ...again, duplicate: true });
        continue;
      }
      const chain = head.get(event.organizationId)!;
      const unhashed = {
        ...event,
        sequence: chain.sequence + 1,
        recordedAt,
        previousHash: chain.hash,
        personalSalt: randomBytes(16).toString('base64'),
        personalDigest: null,
      };
      const stored: AuditEvent = { ...unhashed, hash: chainHash(unhashed) };
      head.set(event.organizationId, { sequence: stored.sequence, hash: stored.hash });
      fresh.push(stored);
      const result = { id: stored.id, organizationId: stored.organizationId, sequence: stored.sequence, duplicate: false };
      seen.set(stored.id, result);
      results.push(result);
    }
    if (fresh.length === 0) return { results, events: [] };

    const claimed = (await manager.query(
      `INSERT INTO audit.event_ids (id, organization_id, sequence)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT DO NOTHING RETURNING id`,
      [fresh.map((e) => e.id), fresh.map((e) => e.organizationId), fresh.map((e) => e.sequence)],
    )) as unknown[];
    // Only an id another organization's batch took at this very moment gets here (the head lock orders one organization's).
    if (claimed.length !== fresh.length) throw new ConflictError('An audit event id in this batch is taken', 'id');
    await insertEvents(manager, 'events', fresh);
    const changed = [...new Set(fresh.map((e) => e.organizationId))];
    await manager.query(
      `UPDATE audit.chain_heads h SET sequence = n.sequence, hash = n.hash, updated_at = now()
         FROM unnest($1::text[], $2::bigint[], $3::text[]) AS n(organization_id, sequence, hash) WHERE h.organization_id = n.organization_id`,
      [changed, changed.map((o) => head.get(o)!.sequence), changed.map((o) => head.get(o)!.hash)],
    );
    return { results, events: fresh };
  }
}

/** Inserts stored events, in one statement, into `audit.events` or `audit.archived_events`. */
export async function insertEvents(
  manager: EntityManager,
  table: 'events' | 'archived_events',
  events: readonly AuditEvent[],
): Promise<void> {
  const column = <T>(pick: (event: AuditEvent) => T) => events.map(pick);
  const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
  await manager.query(
    `INSERT INTO audit.${table} (id, organization_id, sequence, actor_type, actor_id, actor_name, action, severity, outcome, targets,
       request_id, ip, user_agent, request, response, changes, metadata, source, occurred_at, recorded_at, previous_hash, hash,
       personal_salt, personal_digest)
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
       $10::jsonb[], $11::text[], $12::text[], $13::text[], $14::jsonb[], $15::jsonb[], $16::jsonb[], $17::jsonb[], $18::text[],
       $19::timestamptz[], $20::timestamptz[], $21::text[], $22::text[], $23::text[], $24::text[])`,
    [
      column((e) => e.id),
      column((e) => e.organizationId),
      column((e) => e.sequence),
      column((e) => e.actor.type),
      column((e) => e.actor.id),
      column((e) => e.actor.displayName),
      column((e) => e.action),
      column((e) => e.severity),
      column((e) => e.outcome),
      column((e) => JSON.stringify(e.targets)),
      column((e) => e.requestId),
      column((e) => e.ip),
      column((e) => e.userAgent),
      column((e) => json(e.request)),
      column((e) => json(e.response)),
      column((e) => json(e.changes)),
      column((e) => json(e.metadata)),
      column((e) => e.source),
      column((e) => e.occurredAt.toISOString()),
      column((e) => e.recordedAt.toISOString()),
      column((e) => e.previousHash),
      column((e) => e.hash),
      column((e) => e.personalSalt),
      column((e) => e.personalDigest),
    ],
  );
}

type PreparedEvent = Omit<AuditEvent, 'sequence' | 'recordedAt' | 'previousHash' | 'hash' | 'personalSalt' | 'personalDigest'>;

/** Validates a batch (BAD_USER_INPUT names `events.<index>.<field>`), redacts secrets, and fills the optional fields. */
function prepare(inputs: readonly AuditEventInput[], field: string): PreparedEvent[] {
  if (inputs.length === 0) throw new BadUserInputError(`${field}: give at least one event`, field);
  if (inputs.length > MAX_INGEST_BATCH) {
    throw new BadUserInputError(`${field}: at most ${MAX_INGEST_BATCH} events in one batch, got ${inputs.length}`, field);
  }
  const now = Date.now();
  return inputs.map((raw, index) => {
    const at = (name: string) => `${field}.${index}.${name}`;
    // GraphQL enums may arrive by name (`API_KEY`, `INFO`): the stored values are lower case.
    const input = {
      ...raw,
      actor: { ...raw.actor, type: lower(raw.actor.type) as ActorType },
      severity: lower(raw.severity ?? 'info') as Severity,
      outcome: lower(raw.outcome ?? 'success') as Outcome,
    };
    if (input.id !== undefined && input.id !== null) parseId('audit', input.id, at('id'));
    if (!isId('organization', input.organizationId)) parseId('organization', input.organizationId, at('organizationId'));
    if (!ACTOR_TYPES.includes(input.actor.type))
      throw new BadUserInputError(`${at('actor.type')}: one of ${ACTOR_TYPES.join(', ')}`, at('actor.type'));
    text(input.actor.id, 128, at('actor.id'));
    text(input.actor.displayName, 256, at('actor.displayName'));
    if (input.actor.type !== 'system' && !input.actor.id)
      throw new BadUserInputError(`${at('actor.id')}: a ${input.actor.type} actor needs its id`, at('actor.id'));
    if (!ACTION.test(input.action) || input.action.length > 200) {
      throw new BadUserInputError(
        `${at('action')}: "${input.action.slice(0, 60)}" is not resource.verb (lower case, dot separated, such as billing.subscription.cancel)`,
        at('action'),
      );
    }
    if (!SEVERITIES.includes(input.severity))
      throw new BadUserInputError(`${at('severity')}: one of ${SEVERITIES.join(', ')}`, at('severity'));
    if (!OUTCOMES.includes(input.outcome)) throw new BadUserInputError(`${at('outcome')}: one of ${OUTCOMES.join(', ')}`, at('outcome'));
    if (input.targets.length > MAX_TARGETS) throw new BadUserInputError(`${at('targets')}: at most ${MAX_TARGETS}`, at('targets'));
    input.targets.forEach((target, t) => {
      if (!TARGET_TYPE.test(target.type))
        throw new BadUserInputError(
          `${at(`targets.${t}.type`)}: lower case letters and _, such as user or api_key`,
          at(`targets.${t}.type`),
        );
      text(target.id, 128, at(`targets.${t}.id`));
      if (!target.id) throw new BadUserInputError(`${at(`targets.${t}.id`)}: required`, at(`targets.${t}.id`));
    });
    text(input.requestId, 128, at('requestId'));
    text(input.userAgent, 512, at('userAgent'));
    if (input.ip && isIP(input.ip) === 0)
      throw new BadUserInputError(`${at('ip')}: "${input.ip.slice(0, 60)}" is not an IPv4 or IPv6 address`, at('ip'));
    if (!(input.occurredAt instanceof Date) || Number.isNaN(input.occurredAt.getTime()))
      throw new BadUserInputError(`${at('occurredAt')}: not a date`, at('occurredAt'));
    if (input.occurredAt.getTime() > now + MAX_CLOCK_SKEW_MS)
      throw new BadUserInputError(`${at('occurredAt')}: in the future`, at('occurredAt'));
    const object = (value: Record<string, unknown> | null | undefined, name: string) => {
      if (value === null || value === undefined) return null;
      if (typeof value !== 'object' || Array.isArray(value)) throw new BadUserInputError(`${at(name)}: a JSON object`, at(name));
      const redacted = redactSecrets(value) as Record<string, unknown>;
      let size: number;
      try {
        size = Buffer.byteLength(canonicalJson(redacted));
      } catch {
        throw new BadUserInputError(`${at(name)}: only JSON values (no NaN or Infinity)`, at(name));
      }
      if (size > MAX_JSON_BYTES) throw new BadUserInputError(`${at(name)}: at most ${MAX_JSON_BYTES} bytes of JSON`, at(name));
      if (JSON.stringify(redacted).includes('\\u0000')) throw new BadUserInputError(`${at(name)}: no NUL characters`, at(name));
      return redacted;
    };
    return {
      id: input.id ?? newId('audit'),
      organizationId: input.organizationId,
      actor: { type: input.actor.type, id: input.actor.id ?? null, displayName: input.actor.displayName ?? null },
      action: input.action,
      severity: input.severity,
      outcome: input.outcome,
      targets: input.targets.map((target) => ({ type: target.type, id: target.id })),
      requestId: input.requestId ?? null,
      ip: input.ip ?? null,
      userAgent: input.userAgent ?? null,
      request: object(input.request, 'request'),
      response: object(input.response, 'response'),
      changes: object(input.changes, 'changes'),
      metadata: object(input.metadata, 'metadata'),
      source: input.source,
      occurredAt: new Date(input.occurredAt.getTime()),
    };
  });
}

function lower(value: string): string {
  return typeof value === 'string' ? value.toLowerCase() : value;
}

function text(value: string | null | undefined, max: number, field: string): void {
  if (value === null || value === undefined) return;
  if (typeof value !== 'string' || value.length > max) throw new BadUserInputError(`${field}: at most ${max} characters`, field);
  if (value.includes('\u0000')) throw new BadUserInputError(`${field}: no NUL characters`, field);
}

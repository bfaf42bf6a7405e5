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

/** How concurrent `record` calls of one process share transactions (group commit). */
export interface GroupCommitOptions {
  /** Events one transaction holds at most; a caller's batch is never split across two. */
  maxGroupEvents: number;
  /** Transactions of this process writing at once. */
  maxInFlight: number;
  /** While one is being written, how long callers gather before another starts (unless the group is full). */
  maxWaitMs: number;
}

export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = { maxGroupEvents: MAX_INGEST_BATCH, maxInFlight: 2, maxWaitMs: 1 };

const SALT_BYTES = 16;

/** The heads this process has seen exist: their insert is skipped. Bounded; forgetting one only costs that insert again. */
const MAX_KNOWN_HEADS = 100_000;

interface Waiter {
  events: PreparedEvent[];
  resolve(results: RecordedEvent[]): void;
  reject(error: unknown): void;
}

/**
 * Appends events to their organizations' hash chains. Concurrent `record` calls of this
 * process are gathered into one transaction (group commit): the first goes at once, and
 * callers arriving while a transaction is being written wait for it, or for `maxWaitMs`,
 * and go together. A transaction locks the chain heads of the organizations it touches (in
 * id order, so two transactions of any processes never deadlock): events of one organization
 * are numbered and chained one transaction after another, while other organizations' commit
 * in parallel. An id recorded before is skipped (idempotent ingest). Every caller is answered
 * only after COMMIT, so an acknowledged event is durable (PostgreSQL's synchronous commit); a
 * failed transaction fails its callers, and only them: when the failure is one caller's
 * events (an id another organization holds, a value PostgreSQL refuses), each caller of the
 * group is written again on its own, so only that caller's batch fails.
 */
export class IngestService {
  private readonly listeners: CommittedListener[] = [];
  private readonly options: GroupCommitOptions;
  private readonly queue: Waiter[] = [];
  private queuedEvents = 0;
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private readonly knownHeads = new Set<string>();

  constructor(
    private readonly dataSource: DataSource,
    options: Partial<GroupCommitOptions> = {},
  ) {
    this.options = { ...DEFAULT_GROUP_COMMIT, ...options };
  }

  onCommitted(listener: CommittedListener): void {
    this.listeners.push(listener);
  }

  /** A caller's batch (`recordAuditEvents`): every event of their token's organization, written by the API. */
  async recordFor(principal: Principal, inputs: readonly Omit<AuditEventInput, 'source'>[]): Promise<RecordedEvent[]> {
    inputs.forEach((input, index) => assertOwnOrganization(principal, input.organizationId, `events.${index}.organizationId`));
    return this.record(inputs.map((input) => ({ ...input, source: 'api' })));
  }

  /**
   * Resolves once the transaction holding these events has committed (with other callers'
   * events, as they arrive). An invalid event fails this call before it joins a group.
   */
  async record(inputs: readonly AuditEventInput[], field = 'events'): Promise<RecordedEvent[]> {
    const events = prepare(inputs, field);
    return new Promise((resolve, reject) => {
      this.queue.push({ events, resolve, reject });
      this.queuedEvents += events.length;
      this.pump();
    });
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

  committed(events: readonly AuditEvent[]): void {
    if (events.length === 0) return;
    for (const listener of this.listeners) listener(events);
  }

  /** Starts a group when one may start: at once when nothing is being written or the group is full, else after `maxWaitMs`. */
  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      if (this.inFlight > 0 && this.queuedEvents < this.options.maxGroupEvents) {
        this.timer ??= setTimeout(() => {
          this.timer = null;
          if (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) this.flush();
          this.pump();
        }, this.options.maxWaitMs);
        return;
      }
      this.flush();
    }
  }

  private flush(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const group: Waiter[] = [];
    let size = 0;
    while (this.queue.length > 0 && (group.length === 0 || size + this.queue[0]!.events.length <= this.options.maxGroupEvents)) {
      const waiter = this.queue.shift()!;
      group.push(waiter);
      size += waiter.events.length;
    }
    this.queuedEvents -= size;
    this.inFlight += 1;
    void this.writeGroup(group).finally(() => {
      this.inFlight -= 1;
      this.pump();
    });
  }

  /** One transaction for the group's events; each caller is answered with its own events' results after COMMIT. */
  private async writeGroup(group: Waiter[]): Promise<void> {
    let stored: { results: RecordedEvent[]; events: AuditEvent[] };
    try {
      stored = await this.transact(group.flatMap((waiter) => waiter.events));
    } catch (error) {
      if (group.length > 1 && isCallersFault(error)) {
        for (const waiter of group) await this.writeGroup([waiter]);
        return;
      }
      for (const waiter of group) waiter.reject(error);
      return;
    }
    let offset = 0;
    for (const waiter of group) {
      waiter.resolve(stored.results.slice(offset, offset + waiter.events.length));
      offset += waiter.events.length;
    }
    try {
      this.committed(stored.events);
    } catch {
      // A listener's failure is its own: the events are committed and their callers answered.
    }
  }

  /** A missing month partition is created and the transaction tried again once; a lost race on an id, a few times. */
  private async transact(events: PreparedEvent[]): Promise<{ results: RecordedEvent[]; events: AuditEvent[] }> {
    let partitionsMade = false;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.dataSource.transaction((manager) => this.append(manager, events));
      } catch (error) {
        if (isMissingPartition(error) && !partitionsMade) {
          partitionsMade = true;
          await ensurePartitions(this.dataSource);
          continue;
        }
        if (error instanceof IdRaceError && attempt < 3) continue;
        throw error;
      }
    }
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

  /**
   * Three statements: the heads of organizations new to this process inserted (if missing),
   * the heads locked and read with the ids recorded before, then ids, events and new heads
   * written in one statement.
   */
  private async append(manager: EntityManager, events: PreparedEvent[]): Promise<{ results: RecordedEvent[]; events: AuditEvent[] }> {
    const organizations = [...new Set(events.map((event) => event.organizationId))].sort();
    const unknown = organizations.filter((organizationId) => !this.knownHeads.has(organizationId));
    if (unknown.length > 0) {
      await manager.query(
        `INSERT INTO audit.chain_heads (organization_id, sequence, hash) SELECT unnest($1::text[]), 0, $2 ON CONFLICT DO NOTHING`,
        [unknown, GENESIS_HASH],
      );
    }
    let read = await this.lockHeads(manager, organizations, events);
    if (read.head.size < organizations.length) {
      // A head this process took for granted is gone: make it again, in the same order.
      const missing = organizations.filter((organizationId) => !read.head.has(organizationId));
      missing.forEach((organizationId) => this.knownHeads.delete(organizationId));
      await manager.query(
        `INSERT INTO audit.chain_heads (organization_id, sequence, hash) SELECT unnest($1::text[]), 0, $2 ON CONFLICT DO NOTHING`,
        [missing, GENESIS_HASH],
      );
      read = await this.lockHeads(manager, organizations, events);
    }
    if (this.knownHeads.size + organizations.length > MAX_KNOWN_HEADS) this.knownHeads.clear();
    for (const organizationId of organizations) this.knownHeads.add(organizationId);
    const { head, known } = read;

    const recordedAt = new Date();
    // Every event's salt from one read of the random source (one call per event took 4% of the process at batches of 100).
    const salts = randomBytes(SALT_BYTES * events.length);
    const results: RecordedEvent[] = [];
    const fresh: AuditEvent[] = [];
    const seen = new Map<string, RecordedEvent>();
    for (const event of events) {
      const before = known.get(event.id) ?? seen.get(event.id);
      if (before) {
        if (before.organizationId !== event.organizationId) throw new ConflictError(`Audit event id "${event.id}" is taken`, 'id');
        results.push({ id: event.id, organizationId: event.organizationId, sequence: before.sequence, duplicate: true });
        continue;
      }
      const chain = head.get(event.organizationId)!;
      const unhashed = {
        ...event,
        sequence: chain.sequence + 1,
        recordedAt,
        previousHash: chain.hash,
        personalSalt: salts.toString('base64', fresh.length * SALT_BYTES, (fresh.length + 1) * SALT_BYTES),
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

    const changed = [...new Set(fresh.map((e) => e.organizationId))];
    const columns = eventColumns(fresh);
    const [{ claimed }] = (await manager.query(
      `WITH claimed AS (
         INSERT INTO audit.event_ids (id, organization_id, sequence)
         SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[]) ON CONFLICT DO NOTHING RETURNING 1
       ), stored AS (
         INSERT INTO audit.events (${INSERTED_COLUMNS}) SELECT * FROM ${UNNESTED_COLUMNS}
       ), heads AS (
         UPDATE audit.chain_heads h SET sequence = n.sequence, hash = n.hash, updated_at = now()
           FROM unnest($25::text[], $26::bigint[], $27::text[]) AS n(organization_id, sequence, hash) WHERE h.organization_id = n.organization_id
       )
       SELECT count(*)::int AS claimed FROM claimed`,
      [...columns, changed, changed.map((o) => head.get(o)!.sequence), changed.map((o) => head.get(o)!.hash)],
    )) as { claimed: number }[];
    // Only an id another transaction committed after this one read the ids gets here: read again (the transaction rolls back).
    if (claimed !== fresh.length) throw new IdRaceError();
    return { results, events: fresh };
  }

  /**
   * Locks the heads in organization id order and reads them, with the ids of `events` recorded
   * before (as of this statement's start: one committed while it waited for a lock is caught
   * by the insert's ON CONFLICT, and the transaction is tried again).
   */
  private async lockHeads(
    manager: EntityManager,
    organizations: string[],
    events: PreparedEvent[],
  ): Promise<{ head: Map<string, { sequence: number; hash: string }>; known: Map<string, RecordedEvent> }> {
    const [row] = (await manager.query(
      `WITH heads AS MATERIALIZED (
         SELECT organization_id, sequence, hash FROM audit.chain_heads WHERE organization_id = ANY($1::text[]) ORDER BY organization_id FOR UPDATE
       )
       SELECT (SELECT coalesce(json_agg(json_build_array(organization_id, sequence::text, hash)), '[]'::json) FROM heads) AS heads,
              (SELECT coalesce(json_agg(json_build_array(id, organization_id, sequence::text)), '[]'::json)
                 FROM audit.event_ids WHERE id = ANY($2::text[])) AS known`,
      [organizations, events.map((event) => event.id)],
    )) as { heads: [string, string, string][]; known: [string, string, string][] }[];
    return {
      head: new Map(row!.heads.map(([organizationId, sequence, hash]) => [organizationId, { sequence: Number(sequence), hash }])),
      known: new Map(
        row!.known.map(([id, organizationId, sequence]) => [id, { id, organizationId, sequence: Number(sequence), duplicate: true }]),
      ),
    };
  }
}

/** An id this transaction read as free was taken meanwhile (another process's transaction): the transaction is tried again. */
class IdRaceError extends ConflictError {
  constructor() {
    super('An audit event id in this batch is taken', 'id');
  }
}

/** A failure that one caller's events cause (so the group is written again caller by caller), not the database's state. */
function isCallersFault(error: unknown): boolean {
  if (error instanceof ConflictError) return true;
  const code = (error as { code?: unknown }).code;
  // Class 22 (data exception) and 23 (integrity constraint violation) are about the values written.
  return typeof code === 'string' && /^2[23]/.test(code) && !isMissingPartition(error);
}

const INSERTED_COLUMNS = `id, organization_id, sequence, actor_type, actor_id, actor_name, action, severity, outcome, targets,
  request_id, ip, user_agent, request, response, changes, metadata, source, occurred_at, recorded_at, previous_hash, hash,
  personal_salt, personal_digest`;
const UNNESTED_COLUMNS = `unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[],
  $10::jsonb[], $11::text[], $12::text[], $13::text[], $14::jsonb[], $15::jsonb[], $16::jsonb[], $17::jsonb[], $18::text[],
  $19::timestamptz[], $20::timestamptz[], $21::text[], $22::text[], $23::text[], $24::text[])`;

/** The 24 column arrays `UNNESTED_COLUMNS` reads, as parameters $1 to $24. */
function eventColumns(events: readonly AuditEvent[]): unknown[][] {
  const column = <T>(pick: (event: AuditEvent) => T) => events.map(pick);
  const json = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));
  return [
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
  ];
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

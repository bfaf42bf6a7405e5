import type { DataSource, EntityManager } from 'typeorm';
import { In } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../platform/errors';
import type { NewEvent } from '../../../platform/outbox/event-catalogue';
import type { Outbox } from '../../../platform/outbox/outbox';
import { CallRecord } from '../entities/call-record.entity';
import { callQuality } from './call-quality-rules';
import { INGEST_LIMITS, checkBatch, checkCodec, checkExternalId, checkNumber, checkTime, fieldOf } from './ingest-validation';
import { recordUsersSeen } from './users-seen';
import { timeRange } from './time-range';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../../platform/limits/page-size';

export interface CallStartInput {
  callId: string;
  participants: string[];
  codec: string;
  /** Now when absent (and then not compared on a retry). */
  startedAt?: Date | null;
}

export interface CallEndFigures {
  rttMs: number;
  jitterMs: number;
  packetLossPercent: number;
  speakingSeconds?: number | null;
  costMicros?: number | null;
}

export interface CallEndInput extends CallEndFigures {
  callId: string;
  /** Now when absent. */
  endedAt?: Date | null;
}

/** A whole call at once: its start and its end. */
export interface CallRecordInput extends CallStartInput, CallEndFigures {
  startedAt: Date;
  endedAt: Date;
}

/** The key billing counts a call's minutes under: one call, one count, however often it is sent. */
export function callUsageKey(callId: string): string {
  return `analytics:call:${callId}`;
}

/** Whole minutes billed for a call: its duration rounded up; a call of no duration bills nothing. */
export function billedMinutes(startedAt: Date, endedAt: Date): number {
  const ms = endedAt.getTime() - startedAt.getTime();
  return ms <= 0 ? 0 : Math.ceil(ms / 60_000);
}

/**
 * Call records: started and ended by the media server, or sent whole, in batches of up to
 * 500. A call id counts once per organization: the same call again with the same values
 * answers what is stored, with other values CONFLICT. A call that ends gets its quality
 * (E-model) and reports its minutes to billing as `usage.reported`, in the transaction that
 * ends it; the live figures are published after the commit.
 */
export class CallRecordService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly afterChange: (organizationId: string) => Promise<void> = async () => {},
  ) {}

  async startCall(principal: Principal, input: CallStartInput): Promise<CallRecord> {
    const now = new Date();
    const start = validateStart(input, now, (name) => `input.${name}`);
    const organizationId = principal.organizationId;
    const row = await this.dataSource.transaction(async (manager) => {
      const inserted = await insertIgnoring(manager, [{ organizationId, ...start, startedAt: start.startedAt ?? now }]);
      if (inserted.has(start.callId)) {
        await recordUsersSeen(manager, organizationId, [{ users: start.participants, at: start.startedAt ?? now }]);
      }
      const stored = await lockCalls(manager, organizationId, [start.callId]);
      const existing = stored.get(start.callId)!;
      if (!inserted.has(start.callId)) assertSameStart(existing, start, 'input');
      return existing;
    });
    await this.afterChange(organizationId);
    return row;
  }

  async endCall(principal: Principal, input: CallEndInput): Promise<CallRecord> {
    const now = new Date();
    checkExternalId(input.callId, 'input.callId');
    const figures = validateFigures(input, (name) => `input.${name}`);
    const endedAt = input.endedAt == null ? null : checkTime(input.endedAt, 'input.endedAt', now);
    const organizationId = principal.organizationId;
    const row = await this.dataSource.transaction(async (manager) => {
      const existing = (await lockCalls(manager, organizationId, [input.callId])).get(input.callId);
      if (!existing) throw new NotFoundError('Call', input.callId, 'input.callId');
      if (existing.endedAt) {
        assertSameEnd(existing, { ...figures, endedAt }, 'input');
        return existing;
      }
      const ended = await completeCalls(manager, this.outbox, [{ row: existing, figures, endedAt: endedAt ?? now, field: 'input' }]);
      return ended[0];
    });
    await this.afterChange(organizationId);
    return row;
  }

  /** Whole calls, all stored or none (a conflict anywhere refuses the batch). */
  async recordCalls(principal: Principal, inputs: readonly CallRecordInput[]): Promise<CallRecord[]> {
    checkBatch(inputs.length);
    const now = new Date();
    const batch = inputs.length > 1;
    const organizationId = principal.organizationId;
    const valid = inputs.map((input, index) => {
      const field = (name: string) => fieldOf(index, batch, name);
      const start = validateStart(input, now, field);
      if (!start.startedAt) throw new BadUserInputError(`${field('startedAt')}: required`, field('startedAt'));
      const figures = validateFigures(input, field);
      const endedAt = checkTime(input.endedAt, field('endedAt'), now);
      checkDuration(start.startedAt, endedAt, field('endedAt'));
      return { index, start: { ...start, startedAt: start.startedAt }, figures, endedAt, field: batch ? `input.${index}` : 'input' };
    });
    const ids = new Set<string>();
    for (const item of valid) {
      if (ids.has(item.start.callId))
        throw new BadUserInputError(`${item.field}.callId: "${item.start.callId}" twice in one batch`, `${item.field}.callId`);
      ids.add(item.start.callId);
    }
    const rows = await this.dataSource.transaction(async (manager) => {
      // In key order, so concurrent batches sharing calls lock them in the same order.
      const ordered = [...valid].sort((a, b) => (a.start.callId < b.start.callId ? -1 : 1));
      const fresh = ordered.map((item) => ({
        organizationId,
        ...item.start,
        ...endColumns(item.start.startedAt, item.endedAt, item.figures, item.start.codec),
      }));
      const inserted = await insertIgnoring(manager, fresh);
      const stored = await lockCalls(manager, organizationId, [...ids]);
      const toComplete: Completion[] = [];
      for (const item of ordered) {
        if (inserted.has(item.start.callId)) continue;
        const existing = stored.get(item.start.callId)!;
        assertSameStart(existing, item.start, item.field);
        if (existing.endedAt) assertSameEnd(existing, { ...item.figures, endedAt: item.endedAt }, item.field);
        else toComplete.push({ row: existing, figures: item.figures, endedAt: item.endedAt, field: item.field });
      }
      const completed = new Map((await completeCalls(manager, this.outbox, toComplete)).map((row) => [row.callId, row]));
      const insertedRows = ordered.filter((item) => inserted.has(item.start.callId)).map((item) => stored.get(item.start.callId)!);
      await this.outbox.addMany(manager, insertedRows.flatMap(usageFact));
      await recordUsersSeen(
        manager,
        organizationId,
        insertedRows.map((row) => ({ users: row.participants, at: row.startedAt })),
      );
      return valid.map((item) => completed.get(item.start.callId) ?? stored.get(item.start.callId)!);
    });
    await this.afterChange(organizationId);
    return rows;
  }

  async find(principal: Principal, callId: string): Promise<CallRecord | null> {
    checkExternalId(callId, 'callId');
    return this.dataSource.getRepository(CallRecord).findOneBy({ organizationId: principal.organizationId, callId });
  }

  /** The organization's calls started in [from, to) (default the last 24 hours), newest first, at most `first` (50, up to 100). */
  async listFor(
    principal: Principal,
    organizationId: string,
    options: { from?: Date | null; to?: Date | null; degradedOnly?: boolean; first?: number | null },
  ): Promise<CallRecord[]> {
    assertOwnOrganization(principal, organizationId);
    const { from, to } = timeRange(options.from, options.to, 24 * 3_600_000);
    const first = options.first ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE)
      throw new BadUserInputError(`first: 1 to ${MAX_PAGE_SIZE}`, 'first');
    const query = this.dataSource
      .getRepository(CallRecord)
      .createQueryBuilder('call')
      .where('call.organization_id = :organizationId AND call.started_at >= :from AND call.started_at < :to', { organizationId, from, to })
      .orderBy('call.started_at', 'DESC')
      .addOrderBy('call.call_id', 'DESC')
      .limit(first);
    if (options.degradedOnly) query.andWhere('call.degraded');
    return query.getMany();
  }
}

interface Completion {
  row: CallRecord;
  figures: CallEndFigures;
  endedAt: Date;
  field: string;
}

/** Ends open calls: their figures and quality, and each call's minutes as a fact for billing. */
async function completeCalls(manager: EntityManager, outbox: Outbox, completions: readonly Completion[]): Promise<CallRecord[]> {
  const ended: CallRecord[] = [];
  for (const { row, figures, endedAt, field } of completions) {
    checkDuration(row.startedAt, endedAt, `${field}.endedAt`);
    const columns = endColumns(row.startedAt, endedAt, figures, row.codec);
    await manager.update(CallRecord, { organizationId: row.organizationId, callId: row.callId }, columns);
    ended.push(Object.assign(row, columns));
  }
  await outbox.addMany(manager, ended.flatMap(usageFact));
  return ended;
}

function endColumns(startedAt: Date, endedAt: Date, figures: CallEndFigures, codec: string) {
  const quality = callQuality({ ...figures, codec });
  return {
    endedAt,
    billedMinutes: billedMinutes(startedAt, endedAt),
    rttMs: figures.rttMs,
    jitterMs: figures.jitterMs,
    packetLossPercent: figures.packetLossPercent,
    speakingSeconds: figures.speakingSeconds ?? null,
    costMicros: figures.costMicros == null ? null : String(figures.costMicros),
    rFactor: quality.rFactor,
    mos: quality.mos,
    quality: quality.band,
    degraded: quality.degraded,
  };
}

function usageFact(row: CallRecord): NewEvent[] {
  if (!row.endedAt || !row.billedMinutes) return [];
  return [
    {
      type: 'usage.reported',
      payload: {
        organizationId: row.organizationId,
        metric: 'call_minutes',
        quantity: row.billedMinutes,
        occurredAt: row.endedAt.toISOString(),
        idempotencyKey: callUsageKey(row.callId),
      },
    },
  ];
}

/** Inserts the calls that are new; answers the ids inserted. */
async function insertIgnoring(manager: EntityManager, rows: Partial<CallRecord>[]): Promise<Set<string>> {
  const result = await manager.createQueryBuilder().insert().into(CallRecord).values(rows).orIgnore().returning(['callId']).execute();
  return new Set((result.raw as { call_id: string }[]).map((row) => row.call_id));
}

async function lockCalls(manager: EntityManager, organizationId: string, callIds: string[]): Promise<Map<string, CallRecord>> {
  const rows = await manager
    .getRepository(CallRecord)
    .createQueryBuilder('call')
    .setLock('pessimistic_write')
    .where({ organizationId, callId: In(callIds) })
    .orderBy('call.call_id')
    .getMany();
  return new Map(rows.map((row) => [row.callId, row]));
}

function validateStart(input: CallStartInput, now: Date, field: (name: string) => string): CallStartInput {
  const callId = checkExternalId(input.callId, field('callId'));
  if (!Array.isArray(input.participants) || input.participants.length > INGEST_LIMITS.maxParticipants) {
    throw new BadUserInputError(`${field('participants')}: at most ${INGEST_LIMITS.maxParticipants}`, field('participants'));
  }
  const participants = [...new Set(input.participants.map((id, index) => checkExternalId(id, `${field('participants')}.${index}`)))].sort();
  const codec = checkCodec(input.codec, field('codec'));
  const startedAt = input.startedAt == null ? null : checkTime(input.startedAt, field('startedAt'), now);
  return { callId, participants, codec, startedAt };
}

function validateFigures(input: CallEndFigures, field: (name: string) => string): CallEndFigures {
  return {
    rttMs: checkNumber(input.rttMs, field('rttMs'), INGEST_LIMITS.maxRttMs),
    jitterMs: checkNumber(input.jitterMs, field('jitterMs'), INGEST_LIMITS.maxJitterMs),
    packetLossPercent: checkNumber(input.packetLossPercent, field('packetLossPercent'), 100),
    speakingSeconds:
      input.speakingSeconds == null
        ? null
        : checkNumber(input.speakingSeconds, field('speakingSeconds'), INGEST_LIMITS.maxCallDays * 86_400, { integer: true }),
    costMicros:
      input.costMicros == null ? null : checkNumber(input.costMicros, field('costMicros'), INGEST_LIMITS.maxCostMicros, { integer: true }),
  };
}

function checkDuration(startedAt: Date, endedAt: Date, field: string): void {
  if (endedAt.getTime() < startedAt.getTime())
    throw new BadUserInputError(`${field}: before the call started (${startedAt.toISOString()})`, field);
  if (endedAt.getTime() - startedAt.getTime() > INGEST_LIMITS.maxCallDays * 86_400_000) {
    throw new BadUserInputError(`${field}: a call lasts at most ${INGEST_LIMITS.maxCallDays} days`, field);
  }
}

function assertSameStart(existing: CallRecord, start: CallStartInput, field: string): void {
  const same =
    existing.codec === start.codec &&
    existing.participants.join('\u0000') === start.participants.join('\u0000') &&
    (start.startedAt == null || existing.startedAt.getTime() === start.startedAt.getTime());
  if (!same) {
    throw new ConflictError(
      `${field}.callId: call "${existing.callId}" was already recorded with other values (started ${existing.startedAt.toISOString()}, codec ${existing.codec})`,
      `${field}.callId`,
    );
  }
}

function assertSameEnd(existing: CallRecord, end: CallEndFigures & { endedAt: Date | null }, field: string): void {
  const same =
    (end.endedAt == null || existing.endedAt!.getTime() === end.endedAt.getTime()) &&
    existing.rttMs === end.rttMs &&
    existing.jitterMs === end.jitterMs &&
    existing.packetLossPercent === end.packetLossPercent &&
    (existing.speakingSeconds ?? null) === (end.speakingSeconds ?? null) &&
    (existing.costMicros ?? null) === (end.costMicros == null ? null : String(end.costMicros));
  if (!same) {
    throw new ConflictError(
      `${field}.callId: call "${existing.callId}" already ended with other figures (at ${existing.endedAt!.toISOString()})`,
      `${field}.callId`,
    );
  }
}

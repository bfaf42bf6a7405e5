import type { DataSource, EntityManager } from 'typeorm';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../../platform/errors';
import type { EventBus } from '../../../platform/events';
import { organizationTopic } from '../../../platform/events';
import { newId, parseId } from '../../../platform/ids';
import type { Outbox } from '../../../platform/outbox/outbox';
import { PERSONAL_DATA_CATEGORIES, isPersonalDataCategory } from '../../../platform/personal-data/personal-data-directive';
import type { PersonalDataCategory } from '../../../platform/personal-data/personal-data-directive';
import { SignedLinks } from '../../../platform/signed-links';
import {
  DataSubjectRequest,
  DataSubjectRequestStatus,
  DataSubjectRequestType,
  ExportFormat,
  Regulation,
} from '../entities/data-subject-request.entity';
import { ExportChunk } from '../entities/export-chunk.entity';
import type { Caller } from './caller';
import { MAX_LISTED } from './consent.service';
import { DATA_SUBJECT_SUBGRAPHS, DataSubjectCallError } from './data-subject-gateway';
import type { DataSubjectParts } from './data-subject-gateway';
import { exportFileWriter } from './export-file';
import type { ByteSink } from './export-file';
import type { LegalHoldService } from './legal-hold.service';
import type { MembershipService } from './membership.service';
import { assertAwaitingDecision, checkRegulation, dueDateOf, extendedDueDateOf, isOverdue } from './request-rules';

export const EXPORT_DOWNLOAD_PATH = '/api/v1/compliance/requests/download';
/** The live topic of an organization's requests (`complianceRequestUpdates`). */
export const REQUEST_UPDATES = 'compliance-requests';
export const MAX_DETAILS_LENGTH = 2000;
export const MAX_NOTE_LENGTH = 1000;
/** Bytes of an export file per stored chunk. */
const CHUNK_BYTES = 256 * 1024;
/** Requests one run of the job processes at most; the next run takes the rest. */
const REQUESTS_PER_RUN = 20;

const MULTI_LINE = /^(?:[\t\n\r]|[^\p{Cc}])*$/u;

interface NewRequest {
  organizationId: string;
  /** Absent: the caller. */
  userId?: string | null;
  regulation?: Regulation | null;
  details?: string | null;
}

export interface RequestDataExport extends NewRequest {
  format?: ExportFormat | null;
}

export interface RequestDataDeletion extends NewRequest {
  /** Absent or empty: every category. */
  categories?: string[] | null;
}

export interface RequestRectification extends NewRequest {
  details: string;
}

export interface RequestFilter {
  userId?: string | null;
  status?: DataSubjectRequestStatus | null;
}

/** A request as its reader sees it: whether it is overdue, and (for whoever may download it) its export's link. */
export interface RequestView extends DataSubjectRequest {
  overdue: boolean;
  downloadUrl: string | null;
}

export interface DownloadGrant {
  requestId: string;
  organizationId: string;
  /** Who the link was made for: they must still be allowed when they use it. */
  userId: string;
}

export interface ProcessOutcome {
  completed: number;
  held: number;
  /** Refused by a subgraph's rules while processed (the organization's last active member cannot be erased). */
  rejected: number;
  failed: number;
}

/**
 * Data-subject requests (GDPR Art. 15-17 and 20, HIPAA 164.524 and 164.526), from receipt to
 * an answer. A person asks about their own data; an owner or admin (`compliance:manage`) may
 * ask for someone in the organization and reads everyone's (`compliance:read`). A deletion and
 * a rectification wait for an approval (`compliance:approve`); an export goes straight to the
 * job. Every transition is a fact (`compliance.request.updated`, written with it) and a live
 * update. The job reaches each subgraph's part through the gateway (`DataSubjectParts`).
 */
export class DataSubjectRequestService {
  private readonly links: SignedLinks<{ r: string; o: string; u: string }>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly events: EventBus | null,
    private readonly memberships: MembershipService,
    private readonly legalHolds: LegalHoldService,
    private readonly parts: DataSubjectParts,
    private readonly options: { key: Buffer; baseUrl: string; linkTtlSeconds: number },
  ) {
    this.links = new SignedLinks(options.key);
  }

  async requestExport(caller: Caller, input: RequestDataExport): Promise<RequestView> {
    const format = input.format ?? ExportFormat.JSON;
    if (!Object.values(ExportFormat).includes(format)) throw new BadUserInputError('input.format: JSON, CSV or PDF', 'input.format');
    return this.create(caller, DataSubjectRequestType.EXPORT, input, { format });
  }

  async requestDeletion(caller: Caller, input: RequestDataDeletion): Promise<RequestView> {
    const chosen = input.categories ?? [];
    if (chosen.length > PERSONAL_DATA_CATEGORIES.length) {
      throw new BadUserInputError(`input.categories: at most ${PERSONAL_DATA_CATEGORIES.length}`, 'input.categories');
    }
    chosen.forEach((category, index) => {
      if (!isPersonalDataCategory(category)) {
        throw new BadUserInputError(
          `input.categories.${index}: "${category}" is none of ${PERSONAL_DATA_CATEGORIES.join(', ')}`,
          `input.categories.${index}`,
        );
      }
    });
    return this.create(caller, DataSubjectRequestType.DELETION, input, {
      categories: chosen.length > 0 ? [...new Set(chosen)].sort() : null,
    });
  }

  async requestRectification(caller: Caller, input: RequestRectification): Promise<RequestView> {
    if (input.details === undefined || input.details === null || String(input.details).trim() === '') {
      throw new BadUserInputError('input.details: say which data is wrong and how it should read', 'input.details');
    }
    return this.create(caller, DataSubjectRequestType.RECTIFICATION, input, {});
  }

  /** The organization's requests, newest first (at most 500): the caller's own, or with `compliance:read` anyone's or everyone's. */
  async list(caller: Caller, organizationId: string, filter: RequestFilter = {}): Promise<RequestView[]> {
    assertOwnOrganization(caller.principal, organizationId);
    const userId = filter.userId == null ? null : parseId('user', filter.userId, 'userId');
    if (userId !== caller.principal.userId) await caller.require({ resource: 'compliance', action: 'read' });
    const query = this.dataSource
      .getRepository(DataSubjectRequest)
      .createQueryBuilder('request')
      .where('request.organization_id = :organizationId', { organizationId })
      .orderBy('request.received_at', 'DESC')
      .addOrderBy('request.id', 'DESC')
      .limit(MAX_LISTED);
    if (userId) query.andWhere('request.user_id = :userId', { userId });
    if (filter.status) query.andWhere('request.status = :status', { status: filter.status });
    const rows = await query.getMany();
    return Promise.all(rows.map((row) => this.view(caller, row)));
  }

  /** One request of the caller's organization: their own, or with `compliance:read` anyone's. Another organization's is NOT_FOUND. */
  async get(caller: Caller, id: string): Promise<RequestView> {
    const row = await this.find(this.dataSource.manager, caller, id);
    if (row.userId !== caller.principal.userId && row.requestedById !== caller.principal.userId) {
      await caller.require({ resource: 'compliance', action: 'read' });
    }
    return this.view(caller, row);
  }

  /** Approves a deletion (the job then erases) or a rectification (the correction has been made: it completes). */
  async approve(caller: Caller, id: string, note?: string | null): Promise<RequestView> {
    const decisionNote = note == null ? null : checkText(note, 'note', MAX_NOTE_LENGTH);
    return this.change(caller, id, (request) => {
      assertNotAboutCaller(caller, request);
      if (request.status !== DataSubjectRequestStatus.AWAITING_APPROVAL) {
        throw new ConflictError(`id: the request ${request.id} is ${request.status}, not awaiting approval`, 'id');
      }
      request.decidedById = caller.principal.userId;
      request.decidedAt = new Date();
      request.decisionNote = decisionNote;
      if (request.type === DataSubjectRequestType.RECTIFICATION) {
        request.status = DataSubjectRequestStatus.COMPLETED;
        request.completedAt = request.decidedAt;
      } else {
        request.status = DataSubjectRequestStatus.IN_PROGRESS;
      }
    });
  }

  /** Refuses a request, saying why (GDPR Art. 12(4): the person is told the reasons). */
  async reject(caller: Caller, id: string, reason: string): Promise<RequestView> {
    const decisionNote = checkText(reason, 'reason', MAX_NOTE_LENGTH);
    return this.change(caller, id, (request) => {
      assertNotAboutCaller(caller, request);
      assertAwaitingDecision(request);
      request.status = DataSubjectRequestStatus.REJECTED;
      request.decidedById = caller.principal.userId;
      request.decidedAt = new Date();
      request.decisionNote = decisionNote;
    });
  }

  /** Extends an open request's due date once, by the regulation's extension, saying why (GDPR Art. 12(3)). */
  async extend(caller: Caller, id: string, reason: string): Promise<RequestView> {
    const extensionReason = checkText(reason, 'reason', MAX_NOTE_LENGTH);
    return this.change(caller, id, (request) => {
      if (request.status === DataSubjectRequestStatus.COMPLETED || request.status === DataSubjectRequestStatus.REJECTED) {
        throw new ConflictError(`id: the request ${request.id} is ${request.status}`, 'id');
      }
      if (request.extendedAt) throw new ConflictError(`id: the request ${request.id} was already extended`, 'id');
      request.dueAt = extendedDueDateOf(request.regulation, request.dueAt);
      request.extendedAt = new Date();
      request.extensionReason = extensionReason;
    });
  }

  /**
   * The job's work: exports received or under way, and approved deletions not waiting for a
   * hold, oldest first. A deletion of someone under a legal hold waits (`held`) until the last
   * hold on them is released. Each request is idempotent: a run that dies is run again.
   */
  async processPending(
    options: { organizationId?: string; progress?: (done: number, total: number) => Promise<void>; signal?: AbortSignal } = {},
  ): Promise<ProcessOutcome> {
    const outcome: ProcessOutcome = { completed: 0, held: 0, rejected: 0, failed: 0 };
    await this.unholdReleased(options.organizationId);
    const query = this.dataSource
      .getRepository(DataSubjectRequest)
      .createQueryBuilder('request')
      .where(
        `((request.type = 'export' AND request.status IN ('received', 'in_progress'))
          OR (request.type = 'deletion' AND request.status = 'in_progress' AND NOT request.held))`,
      )
      .orderBy('request.received_at')
      .addOrderBy('request.id')
      .limit(REQUESTS_PER_RUN);
    if (options.organizationId) query.andWhere('request.organization_id = :organizationId', { organizationId: options.organizationId });
    const pending = await query.getMany();
    let done = 0;
    let firstError: unknown = null;
    await options.progress?.(0, pending.length);
    for (const request of pending) {
      if (options.signal?.aborted) break;
      try {
        const result = await this.process(request);
        outcome[result] += 1;
      } catch (error) {
        // Kept as it is: the next attempt takes it again, and the others go on meanwhile.
        outcome.failed += 1;
        firstError ??= error;
      }
      done += 1;
      await options.progress?.(done, pending.length);
    }
    if (firstError) {
      const reason = firstError instanceof Error ? firstError.message : String(firstError);
      throw new Error(`${outcome.failed} of ${pending.length} data-subject requests failed: ${reason}`, { cause: firstError });
    }
    return outcome;
  }

  /**
   * Held deletions whose person no hold covers any more go on. The hold-released consumer does
   * this at once; the job does it too, for a release that committed while the job was marking
   * the deletion held.
   */
  private async unholdReleased(organizationId: string | undefined): Promise<void> {
    const held = await this.dataSource.getRepository(DataSubjectRequest).find({
      where: { held: true, status: DataSubjectRequestStatus.IN_PROGRESS, ...(organizationId ? { organizationId } : {}) },
      take: MAX_LISTED,
    });
    for (const request of held) {
      if (await this.legalHolds.isHeld(request.organizationId, request.userId)) continue;
      await this.transition(request.id, (row) => {
        row.held = false;
      });
    }
  }

  /** Legal holds on a person (or their organization) were released: their deletions waiting for it go on once no hold is left. */
  async holdReleased(manager: EntityManager, organizationId: string, userId: string | null): Promise<string[]> {
    const waiting = await manager.getRepository(DataSubjectRequest).find({
      where: { organizationId, held: true, status: DataSubjectRequestStatus.IN_PROGRESS, ...(userId ? { userId } : {}) },
    });
    const released: string[] = [];
    for (const request of waiting) {
      if (await this.legalHolds.isHeld(organizationId, request.userId)) continue;
      request.held = false;
      await this.save(manager, request, null);
      released.push(request.id);
    }
    return released;
  }

  /** Tells live subscribers about requests changed by a transaction that has committed. */
  async announce(organizationId: string, requestIds: readonly string[]): Promise<void> {
    for (const id of requestIds) await this.events?.publish(organizationTopic(REQUEST_UPDATES, organizationId), { id });
  }

  live(organizationId: string): AsyncIterableIterator<{ id: string }> {
    if (!this.events) throw new Error('no event bus');
    return this.events.subscribe(organizationTopic(REQUEST_UPDATES, organizationId));
  }

  /** The request an update names, for a subscriber with `compliance:read` in its organization. */
  async updated(caller: Caller, id: string): Promise<RequestView> {
    const row = await this.find(this.dataSource.manager, caller, id);
    return this.view(caller, row);
  }

  /** The grant a download link carries; FORBIDDEN when it is not valid or has expired. */
  openDownload(token: string): DownloadGrant {
    const { claims } = this.links.open(token);
    return { requestId: claims.r, organizationId: claims.o, userId: claims.u };
  }

  /**
   * Streams an export's file once: the first download takes it (the row is marked in the same
   * statement that finds it), and its chunks are deleted when it has gone out whole. Null when
   * it was downloaded already or is not ready.
   */
  async download(
    grant: DownloadGrant,
    write: (chunk: Buffer) => Promise<void>,
    onStart: (format: ExportFormat) => void = () => {},
  ): Promise<{ format: ExportFormat } | null> {
    const [rows] = (await this.dataSource.query(
      `UPDATE ${this.table()} SET downloaded_at = now(), updated_at = now()
        WHERE id = $1 AND organization_id = $2 AND type = 'export' AND status = 'completed' AND downloaded_at IS NULL
        RETURNING format`,
      [grant.requestId, grant.organizationId],
    )) as [{ format: ExportFormat }[], number];
    const claimed = rows[0];
    if (!claimed) return null;
    onStart(claimed.format);
    const chunks = this.dataSource.getRepository(ExportChunk);
    for (let sequence = 0; ; sequence += 1) {
      const chunk = await chunks.findOneBy({ requestId: grant.requestId, sequence });
      if (!chunk) break;
      await write(chunk.content);
    }
    await chunks.delete({ requestId: grant.requestId });
    return { format: claimed.format };
  }

  private async create(
    caller: Caller,
    type: DataSubjectRequestType,
    input: NewRequest,
    extra: Partial<DataSubjectRequest>,
  ): Promise<RequestView> {
    const { principal } = caller;
    assertOwnOrganization(principal, input.organizationId, 'input.organizationId');
    const userId = input.userId == null ? principal.userId : parseId('user', input.userId, 'input.userId');
    if (userId !== principal.userId) {
      await caller.require({ resource: 'compliance', action: 'manage' });
      // Anyone who is or was a member: a former member's rights outlast their membership.
      if (!(await this.memberships.statusOf(input.organizationId, userId))) throw new NotFoundError('Member', userId, 'input.userId');
    }
    const regulation = checkRegulation(input.regulation ?? Regulation.GDPR, type, 'input.regulation');
    if (!Object.values(Regulation).includes(regulation)) throw new BadUserInputError('input.regulation: GDPR or HIPAA', 'input.regulation');
    const details = input.details == null ? null : checkText(input.details, 'input.details', MAX_DETAILS_LENGTH);
    const receivedAt = new Date();
    const row = await this.dataSource.transaction(async (manager) => {
      const request = manager.create(DataSubjectRequest, {
        id: newId('complianceRequest'),
        organizationId: input.organizationId,
        userId,
        requestedById: principal.userId,
        type,
        status: DataSubjectRequestStatus.RECEIVED,
        regulation,
        format: null,
        categories: null,
        details,
        receivedAt,
        dueAt: dueDateOf(regulation, type, receivedAt),
        extendedAt: null,
        extensionReason: null,
        decidedById: null,
        decidedAt: null,
        decisionNote: null,
        held: false,
        progressDone: 0,
        progressTotal: 0,
        result: null,
        completedAt: null,
        fileBytes: null,
        downloadedAt: null,
        ...extra,
      });
      await this.save(manager, request, principal.userId);
      // A deletion and a rectification are decided by an owner or admin before anything changes.
      if (type !== DataSubjectRequestType.EXPORT) {
        request.status = DataSubjectRequestStatus.AWAITING_APPROVAL;
        await this.save(manager, request, principal.userId);
      }
      return request;
    });
    await this.announce(row.organizationId, [row.id]);
    return this.view(caller, row);
  }

  private async change(caller: Caller, id: string, apply: (request: DataSubjectRequest) => void): Promise<RequestView> {
    const row = await this.dataSource.transaction(async (manager) => {
      const request = await this.find(manager, caller, id, true);
      apply(request);
      await this.save(manager, request, caller.principal.userId);
      return request;
    });
    await this.announce(row.organizationId, [row.id]);
    return this.view(caller, row);
  }

  private async find(manager: EntityManager, caller: Caller, id: string, lock = false): Promise<DataSubjectRequest> {
    const requestId = parseId('complianceRequest', id, 'id');
    const row = await manager.findOne(DataSubjectRequest, {
      where: { id: requestId, organizationId: caller.principal.organizationId },
      ...(lock ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!row) throw new NotFoundError('ComplianceRequest', requestId, 'id');
    return row;
  }

  /** Saves a transition with its fact. */
  private async save(manager: EntityManager, request: DataSubjectRequest, actorId: string | null): Promise<void> {
    request.updatedAt = new Date();
    await manager.save(request);
    await this.outbox.add(manager, {
      type: 'compliance.request.updated',
      payload: {
        organizationId: request.organizationId,
        requestId: request.id,
        userId: request.userId,
        type: request.type,
        status: request.status,
        held: request.held,
        actorId,
      },
    });
  }

  private async process(request: DataSubjectRequest): Promise<'completed' | 'held' | 'rejected'> {
    if (request.type === DataSubjectRequestType.DELETION && (await this.legalHolds.isHeld(request.organizationId, request.userId))) {
      await this.transition(request.id, (row) => {
        row.held = true;
      });
      return 'held';
    }
    if (request.status === DataSubjectRequestStatus.RECEIVED) {
      await this.transition(request.id, (row) => {
        row.status = DataSubjectRequestStatus.IN_PROGRESS;
      });
    }
    let result: { summary: Record<string, unknown>; bytes: number | null };
    try {
      result = request.type === DataSubjectRequestType.EXPORT ? await this.runExport(request) : await this.runDeletion(request);
    } catch (error) {
      // A part refused by its rules (the organization's last active member): trying again would not help.
      if (!(error instanceof DataSubjectCallError && error.code === 'CONFLICT')) throw error;
      await this.transition(request.id, (row) => {
        row.status = DataSubjectRequestStatus.REJECTED;
        row.decidedAt = new Date();
        row.decisionNote = error.message.slice(0, MAX_NOTE_LENGTH);
      });
      return 'rejected';
    }
    await this.transition(request.id, (row) => {
      row.status = DataSubjectRequestStatus.COMPLETED;
      row.completedAt = new Date();
      row.result = result.summary;
      row.fileBytes = result.bytes === null ? null : String(result.bytes);
    });
    return 'completed';
  }

  private async runExport(request: DataSubjectRequest): Promise<{ summary: Record<string, unknown>; bytes: number }> {
    const subject = { organizationId: request.organizationId, userId: request.userId };
    const sink = new ChunkSink(this.dataSource, request.id);
    await sink.reset();
    const writer = exportFileWriter(
      request.format ?? ExportFormat.JSON,
      { requestId: request.id, organizationId: request.organizationId, userId: request.userId, generatedAt: new Date() },
      sink,
    );
    const records: Record<string, number> = {};
    for (const [index, subgraph] of DATA_SUBJECT_SUBGRAPHS.entries()) {
      await writer.part(subgraph);
      records[subgraph] = 0;
      for await (const page of this.parts.export(subgraph, subject)) {
        await writer.records(subgraph, page);
        records[subgraph] += page.length;
      }
      await this.progress(request.id, index + 1, DATA_SUBJECT_SUBGRAPHS.length);
    }
    await writer.end();
    const bytes = await sink.close();
    return { summary: { records }, bytes };
  }

  private async runDeletion(request: DataSubjectRequest): Promise<{ summary: Record<string, unknown>; bytes: null }> {
    const subject = { organizationId: request.organizationId, userId: request.userId };
    const categories = (request.categories ?? PERSONAL_DATA_CATEGORIES) as readonly PersonalDataCategory[];
    const erasure: Record<string, unknown> = {};
    for (const [index, subgraph] of DATA_SUBJECT_SUBGRAPHS.entries()) {
      erasure[subgraph] = await this.parts.erase(subgraph, subject, categories);
      await this.progress(request.id, index + 1, DATA_SUBJECT_SUBGRAPHS.length);
    }
    return { summary: { categories, erasure }, bytes: null };
  }

  private async progress(id: string, done: number, total: number): Promise<void> {
    await this.dataSource
      .getRepository(DataSubjectRequest)
      .update({ id }, { progressDone: done, progressTotal: total, updatedAt: new Date() });
  }

  /** A transition by the job (no person acts), with its fact, then the live update. */
  private async transition(id: string, apply: (request: DataSubjectRequest) => void): Promise<void> {
    const row = await this.dataSource.transaction(async (manager) => {
      const request = await manager.findOneOrFail(DataSubjectRequest, { where: { id }, lock: { mode: 'pessimistic_write' } });
      apply(request);
      await this.save(manager, request, null);
      return request;
    });
    await this.announce(row.organizationId, [row.id]);
  }

  private async view(caller: Caller, row: DataSubjectRequest): Promise<RequestView> {
    let downloadUrl: string | null = null;
    const ready = row.type === DataSubjectRequestType.EXPORT && row.status === DataSubjectRequestStatus.COMPLETED && !row.downloadedAt;
    // The link is for the person who asked, or for the person it is about.
    if (ready && (caller.principal.userId === row.requestedById || caller.principal.userId === row.userId)) {
      const expiresAt = new Date(Date.now() + this.options.linkTtlSeconds * 1000);
      const token = this.links.sign({ r: row.id, o: row.organizationId, u: caller.principal.userId }, expiresAt);
      downloadUrl = `${this.options.baseUrl}${EXPORT_DOWNLOAD_PATH}?token=${encodeURIComponent(token)}`;
    }
    return { ...row, overdue: isOverdue(row), downloadUrl };
  }

  private table(): string {
    return this.dataSource.getMetadata(DataSubjectRequest).tablePath;
  }
}

/** An export file's bytes into `export_chunks`, CHUNK_BYTES a row, in order. */
class ChunkSink implements ByteSink {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private sequence = 0;
  private total = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly requestId: string,
  ) {}

  /** A run again after a crash starts the file over. */
  async reset(): Promise<void> {
    await this.dataSource.getRepository(ExportChunk).delete({ requestId: this.requestId });
  }

  async write(bytes: Buffer): Promise<void> {
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    if (this.pendingBytes >= CHUNK_BYTES) await this.flush();
  }

  async close(): Promise<number> {
    await this.flush();
    return this.total;
  }

  private async flush(): Promise<void> {
    if (this.pendingBytes === 0) return;
    const content = Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    await this.dataSource.getRepository(ExportChunk).insert({ requestId: this.requestId, sequence: this.sequence, content });
    this.sequence += 1;
    this.total += content.length;
  }
}

/** Separation of duties: a request about someone is decided by another owner or admin, never by that person. */
function assertNotAboutCaller(caller: Caller, request: DataSubjectRequest): void {
  if (request.userId === caller.principal.userId) {
    throw new ForbiddenError(`id: the request ${request.id} is about you: another owner or admin decides it`, { field: 'id' });
  }
}

function checkText(value: unknown, field: string, max: number): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text || text.length > max || !MULTI_LINE.test(text)) {
    throw new BadUserInputError(`${field}: not blank, at most ${max} characters, without control characters`, field);
  }
  return text;
}

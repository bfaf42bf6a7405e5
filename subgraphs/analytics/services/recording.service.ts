import type { DataSource } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { BadUserInputError, NotFoundError } from '../../../platform/errors';
import { isId, newId } from '../../../platform/ids';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../../../platform/limits/page-size';
import { CallRecord } from '../entities/call-record.entity';
import { Recording, RecordingStatus } from '../entities/recording.entity';
import { INGEST_LIMITS, checkExternalId, checkNumber } from './ingest-validation';

export interface AddRecordingInput {
  callId: string;
  storageUrl: string;
  durationSeconds: number;
}

export interface RecordingFilter {
  status?: RecordingStatus | null;
  callId?: string | null;
}

/** The longest storage location accepted (the column's width). */
export const MAX_STORAGE_URL_LENGTH = 2048;

/**
 * Recordings of the organization's calls: added by the media server once the audio is stored
 * (`addRecording`), then transcribed, analysed and summarised by the jobs
 * (services/recording-processing.service.ts). A token reads and adds only its organization's.
 */
export class RecordingService {
  constructor(
    private readonly dataSource: DataSource,
    /** Origins a storage URL may point at (`RECORDING_STORAGE_ORIGINS`); empty: any. */
    private readonly storageOrigins: readonly string[] = [],
  ) {}

  async add(principal: Principal, input: AddRecordingInput): Promise<Recording> {
    const organizationId = principal.organizationId;
    const callId = checkExternalId(input.callId, 'input.callId');
    const storageUrl = checkStorageUrl(input.storageUrl, 'input.storageUrl');
    if (this.storageOrigins.length > 0 && !this.storageOrigins.includes(new URL(storageUrl).origin)) {
      throw new BadUserInputError(`input.storageUrl: must be on ${this.storageOrigins.join(', ')}`, 'input.storageUrl');
    }
    const durationSeconds = checkNumber(input.durationSeconds, 'input.durationSeconds', INGEST_LIMITS.maxCallDays * 86_400);
    const call = await this.dataSource.getRepository(CallRecord).findOneBy({ organizationId, callId });
    if (!call) throw new NotFoundError('Call', callId, 'input.callId');
    const repository = this.dataSource.getRepository(Recording);
    const row = repository.create({
      id: newId('recording'),
      organizationId,
      callId,
      storageUrl,
      durationSeconds,
      status: RecordingStatus.PENDING,
      transcript: null,
      summary: null,
      lastError: null,
      attempts: 0,
      claimedAt: null,
      transcribedAt: null,
      summarisedAt: null,
      rFactor: null,
      mos: null,
      quality: null,
      degraded: null,
      analysedAt: null,
    });
    return repository.save(row);
  }

  /** One of the caller's organization's recordings; null for another organization's or none. */
  async find(principal: Principal, id: string): Promise<Recording | null> {
    if (!isId('recording', id)) throw new BadUserInputError('id: a recording id (rec_…)', 'id');
    return this.dataSource.getRepository(Recording).findOneBy({ organizationId: principal.organizationId, id });
  }

  /** The caller's organization's recordings, newest first, at most `first` (50, up to 100). */
  async list(principal: Principal, filter: RecordingFilter = {}, first?: number | null): Promise<Recording[]> {
    const limit = first ?? DEFAULT_PAGE_SIZE;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
      throw new BadUserInputError(`first: 1 to ${MAX_PAGE_SIZE}`, 'first');
    const query = this.dataSource
      .getRepository(Recording)
      .createQueryBuilder('recording')
      .where('recording.organization_id = :organizationId', { organizationId: principal.organizationId })
      .orderBy('recording.created_at', 'DESC')
      .addOrderBy('recording.id', 'DESC')
      .limit(limit);
    if (filter.status) {
      if (!Object.values(RecordingStatus).includes(filter.status))
        throw new BadUserInputError('filter.status: not a status', 'filter.status');
      query.andWhere('recording.status = :status', { status: filter.status });
    }
    if (filter.callId != null) query.andWhere('recording.call_id = :callId', { callId: checkExternalId(filter.callId, 'filter.callId') });
    return query.getMany();
  }
}

/** An absolute http(s) URL without credentials in it: the jobs download the audio from there. */
export function checkStorageUrl(value: string, field: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || text.length > MAX_STORAGE_URL_LENGTH) {
    throw new BadUserInputError(`${field}: an http or https URL of at most ${MAX_STORAGE_URL_LENGTH} characters`, field);
  }
  if (url.username || url.password) {
    throw new BadUserInputError(`${field}: no credentials in the URL (use a signed URL's query instead)`, field);
  }
  return url.toString();
}

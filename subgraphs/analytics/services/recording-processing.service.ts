import type { DataSource, EntityManager } from 'typeorm';
import { Recording, RecordingStatus } from '../entities/recording.entity';
import { AiFeature } from './ai-price-list';
import type { AiUsageService } from './ai-usage.service';
import { AiProviderError } from './openai-compatible.client';
import type { ChatMessage, OpenAiCompatibleClient } from './openai-compatible.client';
import { RecordingAudioError, downloadAudio } from './recording-audio';

/** The seed's recording DAG: at most 50 recordings a run. */
export const RECORDING_BATCH_SIZE = 50;
/** Recordings of one batch sent to the provider at the same time (the seed's AI batch parallelism). */
export const RECORDING_PARALLELISM = 5;
/** Failed tries of one step before the recording is FAILED (the seed's retries: 2–3 attempts). */
export const RECORDING_MAX_ATTEMPTS = 3;
/** A claim older than this belongs to a run that died: another run takes the recording over. */
export const RECORDING_CLAIM_TIMEOUT_MS = 2 * 3_600_000;
/** The most of a transcript sent for a summary (about 25,000 tokens). */
export const SUMMARY_TRANSCRIPT_CHARACTERS = 100_000;

const SUMMARY_PROMPT =
  'You summarise recorded business calls for the organization that held them. From the transcript, write a short plain-text summary ' +
  '(at most 150 words): what the call was about, what was decided, and the action items with who owns them. Use only what the transcript says.';

export interface BatchOptions {
  organizationId?: string;
  signal?: AbortSignal;
  progress?: (done: number, total: number) => Promise<void>;
}

/** What a run of a recording job reports (kept with the run, printed by `npm run job`). */
export type BatchResult = Record<string, string | number | boolean | null>;

type Outcome = 'done' | 'retry' | 'failed' | 'released';

interface Step {
  name: 'transcription' | 'summary';
  /** The status a recording is taken from, and returns to when released or to be tried again. */
  from: RecordingStatus;
  /** The status it is in while a run holds it. */
  holding: RecordingStatus;
  work(recording: Recording, signal: AbortSignal | undefined): Promise<(manager: EntityManager) => Promise<void>>;
}

/**
 * The recording jobs' work: transcription (`analytics.transcribe-recordings`), the call's quality
 * (`analytics.analyse-recordings`) and a summary (`analytics.summarise-recordings`), each a batch
 * of at most 50, oldest first, up to 5 at once. A run claims its batch (`FOR UPDATE SKIP LOCKED`,
 * so two runs never share a recording), calls the provider outside any transaction, and stores
 * the result with its AI usage (and so billing's `usage.reported` fact) in one transaction; the
 * usage id is the recording's and the step's, so a repeated step never counts twice. Without a
 * provider the transcription and summary jobs say so and leave every recording as it is.
 */
export class RecordingProcessingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly aiUsage: AiUsageService,
    private readonly provider: OpenAiCompatibleClient | undefined,
    private readonly options: { audioTimeoutMs?: number; claimTimeoutMs?: number } = {},
  ) {}

  transcribe(options: BatchOptions = {}): Promise<BatchResult> {
    const provider = this.provider;
    if (!provider) return this.withoutProvider(RecordingStatus.PENDING, 'transcribed', options);
    return this.runStep(
      {
        name: 'transcription',
        from: RecordingStatus.PENDING,
        holding: RecordingStatus.TRANSCRIBING,
        work: async (recording, signal) => {
          const audio = await downloadAudio(recording.storageUrl, {
            timeoutMs: this.options.audioTimeoutMs ?? provider.settings.timeoutMs,
            signal,
          });
          const transcription = await provider.transcribe(audio, signal);
          return async (manager) => {
            await manager.update(
              Recording,
              { id: recording.id },
              { status: RecordingStatus.TRANSCRIBED, transcript: transcription.text, transcribedAt: new Date() },
            );
            await this.aiUsage.recordWithin(manager, recording.organizationId, [
              {
                id: `recording:${recording.id}:transcription`,
                feature: AiFeature.STT,
                model: transcription.model,
                callId: recording.callId,
                seconds: recording.durationSeconds,
                occurredAt: new Date(),
              },
            ]);
          };
        },
      },
      options,
    );
  }

  summarise(options: BatchOptions = {}): Promise<BatchResult> {
    const provider = this.provider;
    if (!provider) return this.withoutProvider(RecordingStatus.TRANSCRIBED, 'summarised', options);
    return this.runStep(
      {
        name: 'summary',
        from: RecordingStatus.TRANSCRIBED,
        holding: RecordingStatus.TRANSCRIBED,
        work: async (recording, signal) => {
          const transcript = (recording.transcript ?? '').trim();
          if (transcript === '') {
            // Nothing was said: nothing to summarise, and nothing to pay a provider for.
            return async (manager) => {
              await manager.update(
                Recording,
                { id: recording.id },
                { status: RecordingStatus.SUMMARISED, summary: '', summarisedAt: new Date() },
              );
            };
          }
          const messages: ChatMessage[] = [
            { role: 'system', content: SUMMARY_PROMPT },
            { role: 'user', content: transcript.slice(0, SUMMARY_TRANSCRIPT_CHARACTERS) },
          ];
          const completion = await provider.complete(messages, { maxTokens: 400, signal });
          return async (manager) => {
            await manager.update(
              Recording,
              { id: recording.id },
              { status: RecordingStatus.SUMMARISED, summary: completion.content, summarisedAt: new Date() },
            );
            await this.aiUsage.recordWithin(manager, recording.organizationId, [
              {
                id: `recording:${recording.id}:summary`,
                feature: AiFeature.AGENTS,
                model: completion.model,
                callId: recording.callId,
                tokens: completion.totalTokens,
                occurredAt: new Date(),
              },
            ]);
          };
        },
      },
      options,
    );
  }

  /**
   * The call's quality for recordings not yet analysed whose call has ended: the E-model's R,
   * MOS, band and degraded flag of the call record, at most 50 a run. Needs no provider.
   */
  async analyse(options: BatchOptions = {}): Promise<BatchResult> {
    const organization = options.organizationId ? 'AND r.organization_id = $2' : '';
    const parameters: unknown[] = [RECORDING_BATCH_SIZE, ...(options.organizationId ? [options.organizationId] : [])];
    const analysed = await this.dataSource.transaction(async (manager) => {
      const rows = (await manager.query(
        `WITH batch AS (
           SELECT r.id FROM analytics.recordings r
             JOIN analytics.call_records c ON c.organization_id = r.organization_id AND c.call_id = r.call_id
            WHERE r.analysed_at IS NULL AND c.mos IS NOT NULL ${organization}
            ORDER BY r.created_at, r.id LIMIT $1 FOR UPDATE OF r SKIP LOCKED)
         UPDATE analytics.recordings r
            SET r_factor = c.r_factor, mos = c.mos, quality = c.quality, degraded = c.degraded, analysed_at = now(), updated_at = now()
           FROM batch, analytics.call_records c
          WHERE r.id = batch.id AND c.organization_id = r.organization_id AND c.call_id = r.call_id
         RETURNING r.id`,
        parameters,
      )) as [{ id: string }[], number] | { id: string }[];
      return Array.isArray(rows[0]) ? (rows[0] as { id: string }[]).length : (rows as { id: string }[]).length;
    });
    const [{ waiting }] = (await this.dataSource.query(
      `SELECT count(*)::int AS waiting FROM analytics.recordings r WHERE r.analysed_at IS NULL ${organization.replace('$2', '$1')}`,
      options.organizationId ? [options.organizationId] : [],
    )) as [{ waiting: number }];
    await options.progress?.(analysed, analysed);
    return { analysed, waiting };
  }

  private async withoutProvider(status: RecordingStatus, verb: string, options: BatchOptions): Promise<BatchResult> {
    const waiting = await this.countIn(status, options.organizationId);
    return {
      provider: 'none',
      message: `No AI provider is configured (AI_API_URL): ${waiting} recording(s) left as they are, none ${verb}`,
      [verb]: 0,
      waiting,
    };
  }

  private async runStep(step: Step, options: BatchOptions): Promise<BatchResult> {
    const claimedAt = new Date();
    const batch = await this.claim(step, claimedAt, options.organizationId);
    const counts: Record<Outcome, number> = { done: 0, retry: 0, failed: 0, released: 0 };
    let stop: { reason: 'unauthorized' | 'rate_limited'; error: AiProviderError } | undefined;
    let next = 0;
    let finished = 0;
    const changed = new Set<string>();

    const worker = async () => {
      while (next < batch.length) {
        const recording = batch[next++];
        const outcome =
          stop || options.signal?.aborted
            ? await this.release(step, recording, claimedAt, null)
            : await this.process(step, recording, claimedAt, options.signal, (error) => {
                stop ??= { reason: error.kind as 'unauthorized' | 'rate_limited', error };
              });
        counts[outcome] += 1;
        if (outcome === 'done') changed.add(recording.organizationId);
        finished += 1;
        await options.progress?.(finished, batch.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(RECORDING_PARALLELISM, batch.length) }, worker));
    for (const organizationId of changed) await this.aiUsage.changed(organizationId);

    if (stop?.reason === 'unauthorized') {
      // A wrong key is no recording's fault: the run fails (and is retried), the recordings wait.
      throw new Error(`${step.name} stopped: ${stop.error.message}`);
    }
    const verb = step.name === 'transcription' ? 'transcribed' : 'summarised';
    const result: BatchResult = {
      [verb]: counts.done,
      retryLater: counts.retry,
      failed: counts.failed,
      released: counts.released,
      waiting: await this.countIn(step.from, options.organizationId),
    };
    if (stop?.reason === 'rate_limited') {
      result.rateLimited = true;
      result.retryAfterSeconds = stop.error.details.retryAfterSeconds ?? null;
    }
    return result;
  }

  private async process(
    step: Step,
    recording: Recording,
    claimedAt: Date,
    signal: AbortSignal | undefined,
    stopAll: (error: AiProviderError) => void,
  ): Promise<Outcome> {
    let store: (manager: EntityManager) => Promise<void>;
    try {
      store = await step.work(recording, signal);
    } catch (error) {
      if (signal?.aborted) return this.release(step, recording, claimedAt, null);
      const message = `${step.name}: ${error instanceof Error ? error.message : String(error)}`.slice(0, 1000);
      if (error instanceof AiProviderError && (error.kind === 'unauthorized' || error.kind === 'rate_limited')) {
        // Not this recording's fault: it waits for the next run without spending an attempt.
        stopAll(error);
        return this.release(step, recording, claimedAt, message);
      }
      const retryable = (error instanceof AiProviderError || error instanceof RecordingAudioError) && error.retryable;
      return this.fail(step, recording, claimedAt, message, retryable);
    }
    const stored = await this.dataSource.transaction(async (manager) => {
      if (!(await this.stillHeld(manager, step, recording, claimedAt))) return false;
      await store(manager);
      await manager.update(Recording, { id: recording.id }, { attempts: 0, lastError: null, claimedAt: null });
      return true;
    });
    return stored ? 'done' : 'released';
  }

  /** Takes the oldest recordings waiting for this step (and those whose claim went stale), at most a batch. */
  private async claim(step: Step, claimedAt: Date, organizationId: string | undefined): Promise<Recording[]> {
    const staleBefore = new Date(claimedAt.getTime() - (this.options.claimTimeoutMs ?? RECORDING_CLAIM_TIMEOUT_MS));
    return this.dataSource.transaction(async (manager) => {
      const query = manager
        .getRepository(Recording)
        .createQueryBuilder('recording')
        .setLock('pessimistic_write')
        .setOnLocked('skip_locked')
        .where(
          '((recording.status = :from AND (recording.claimed_at IS NULL OR recording.claimed_at < :staleBefore)) OR (recording.status = :holding AND recording.claimed_at < :staleBefore))',
          { from: step.from, holding: step.holding, staleBefore },
        )
        .orderBy('recording.created_at')
        .addOrderBy('recording.id')
        .limit(RECORDING_BATCH_SIZE);
      if (organizationId) query.andWhere('recording.organization_id = :organizationId', { organizationId });
      const rows = await query.getMany();
      for (const row of rows) {
        await manager.update(Recording, { id: row.id }, { status: step.holding, claimedAt });
        Object.assign(row, { status: step.holding, claimedAt });
      }
      return rows;
    });
  }

  /** Whether this run still holds the recording (no run that took over a stale claim has it). */
  private async stillHeld(manager: EntityManager, step: Step, recording: Recording, claimedAt: Date): Promise<boolean> {
    const current = await manager
      .getRepository(Recording)
      .createQueryBuilder('recording')
      .setLock('pessimistic_write')
      .where('recording.id = :id', { id: recording.id })
      .getOne();
    return !!current && current.status === step.holding && current.claimedAt?.getTime() === claimedAt.getTime();
  }

  /** Back to waiting for the next run, with no attempt spent. */
  private async release(step: Step, recording: Recording, claimedAt: Date, lastError: string | null): Promise<Outcome> {
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.stillHeld(manager, step, recording, claimedAt))) return;
      await manager.update(Recording, { id: recording.id }, { status: step.from, claimedAt: null, ...(lastError ? { lastError } : {}) });
    });
    return 'released';
  }

  /** One attempt spent: back to waiting when it may succeed later and attempts are left, else FAILED. */
  private async fail(step: Step, recording: Recording, claimedAt: Date, lastError: string, retryable: boolean): Promise<Outcome> {
    const attempts = recording.attempts + 1;
    const again = retryable && attempts < RECORDING_MAX_ATTEMPTS;
    await this.dataSource.transaction(async (manager) => {
      if (!(await this.stillHeld(manager, step, recording, claimedAt))) return;
      await manager.update(
        Recording,
        { id: recording.id },
        { status: again ? step.from : RecordingStatus.FAILED, attempts, lastError, claimedAt: null },
      );
    });
    return again ? 'retry' : 'failed';
  }

  private async countIn(status: RecordingStatus, organizationId: string | undefined): Promise<number> {
    return this.dataSource.getRepository(Recording).countBy(organizationId ? { status, organizationId } : { status });
  }
}

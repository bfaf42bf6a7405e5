import { registerEnumType } from 'type-graphql';

/** A background job run's state, from pg-boss's (created, retry, active, completed, failed, cancelled). */
export enum JobRunStatus {
  QUEUED = 'queued',
  RUNNING = 'running',
  RETRYING = 'retrying',
  COMPLETED = 'completed',
  FAILED = 'failed',
  CANCELLED = 'cancelled',
}

registerEnumType(JobRunStatus, {
  name: 'JobRunStatus',
  valuesConfig: {
    QUEUED: { description: 'Waiting for a worker.' },
    RUNNING: { description: 'A worker is running it.' },
    RETRYING: { description: 'An attempt failed; it is tried again at `nextAttemptAt`.' },
    COMPLETED: { description: 'Done; `result` says what it did.' },
    FAILED: { description: 'Every attempt failed; `lastError` says why.' },
    CANCELLED: { description: 'Cancelled before it ended.' },
  },
});

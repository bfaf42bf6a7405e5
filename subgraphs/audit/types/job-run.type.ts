import { Field, ID, Int, ObjectType } from 'type-graphql';
import { JobRunStatus } from './job-run-status.enum';
import { JSONObjectScalar } from './json-object.scalar';

@ObjectType('JobProgress', { description: 'How far a run is, as the job reports it.' })
export class JobProgressType {
  @Field(() => Int)
  done: number;

  @Field(() => Int)
  total: number;
}

@ObjectType('JobRun', { description: 'One run of a background job for your organization (`npm run worker`).' })
export class JobRunType {
  @Field(() => ID, { description: 'The run’s id (a UUID).' })
  id: string;

  @Field(() => String, { description: 'The job, `<subgraph>.<verb-noun>`, e.g. `audit.archive-events`.' })
  job: string;

  @Field(() => ID)
  organizationId: string;

  @Field(() => JobRunStatus)
  status: JobRunStatus;

  @Field(() => Int, { description: 'Times it was started; each retry is another attempt.' })
  attempts: number;

  @Field(() => Int, { description: 'Attempts it gets in all, the first and its retries.' })
  maxAttempts: number;

  @Field(() => JobProgressType, { nullable: true, description: 'Its latest progress; none until the job reports some.' })
  progress: JobProgressType | null;

  @Field(() => String, { nullable: true, description: 'Why its latest attempt failed (while retrying, or once failed).' })
  lastError: string | null;

  @Field(() => JSONObjectScalar, { nullable: true, description: 'What a completed run reports (counts, ids).' })
  result: Record<string, unknown> | null;

  @Field(() => Date)
  queuedAt: Date;

  @Field(() => Date, { nullable: true, description: 'When its latest attempt started.' })
  startedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When it completed, failed for good or was cancelled.' })
  finishedAt: Date | null;

  @Field(() => Date, { nullable: true, description: 'When a retrying run is tried again.' })
  nextAttemptAt: Date | null;
}

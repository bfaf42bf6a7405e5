import { Field, InputType } from 'type-graphql';
import { JobRunStatus } from './job-run-status.enum';

@InputType('JobRunFilter', { description: 'Every part optional; a run must match all given.' })
export class JobRunFilterInput {
  @Field(() => String, { nullable: true, description: 'One job, e.g. `audit.archive-events`.' })
  job?: string | null;

  @Field(() => [JobRunStatus], { nullable: true, description: 'Runs in any of these states.' })
  statuses?: JobRunStatus[] | null;
}

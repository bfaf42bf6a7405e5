import { Directive, Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { IsInt, IsNumber, Max, Min } from 'class-validator';

/** Analytics' view of an organization: identity owns it. */
@ObjectType('Organization')
@Directive('@key(fields: "id")')
export class AnalyticsOrganization {
  @Field(() => ID)
  id: string;
}

@ObjectType('MetricsSnapshot', { description: "An organization's live call figures at one instant." })
export class MetricsSnapshot {
  organizationId: string;

  @Field(() => AnalyticsOrganization, { nullable: true, description: 'Null when identity does not answer.' })
  organization: AnalyticsOrganization;

  @Field(() => Int, {
    description: 'Calls in progress: calls started (`startCall`) and not ended in the last 24 hours, plus the reported figure.',
  })
  activeCalls: number;

  @Field(() => Int, { description: 'Calls started in the last minute.' })
  callsPerMinute: number;

  @Field(() => Int, { description: 'AI agents in calls right now, as reported.' })
  aiCallsInProgress: number;

  @Field(() => Int, { description: 'AI uses (speech-to-text, text-to-speech, agents) recorded in the last minute.' })
  aiCallsPerMinute: number;

  @Field(() => Float, {
    nullable: true,
    description:
      'Mean opinion score (1–5, ITU-T G.107) of the calls ended in the last five minutes, else the reported one; null with neither.',
  })
  averageMos: number | null;

  @Field(() => Date, { description: 'When these figures were taken.' })
  at: Date;
}

@InputType({ description: 'Live figures from a media server, for your token’s organization.' })
export class ReportLiveMetricsInput {
  @Field(() => Int)
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  activeCalls: number;

  @Field(() => Int, { nullable: true })
  @IsInt()
  @Min(0)
  @Max(10_000_000)
  aiCallsInProgress?: number;

  @Field(() => Float, { nullable: true })
  @IsNumber()
  @Min(1)
  @Max(5)
  averageMos?: number | null;
}

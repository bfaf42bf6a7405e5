import { Field, InputType } from 'type-graphql';

@InputType({ description: 'Filters apply to the metrics of their kind only: a report that mixes call and AI metrics takes none.' })
export class ReportFiltersInput {
  @Field(() => String, { nullable: true, description: 'Calls with this codec.' })
  codec?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Only degraded calls.' })
  degradedOnly?: boolean | null;

  @Field(() => String, { nullable: true, description: 'AI uses of this feature (stt, tts, agents, …).' })
  feature?: string | null;

  @Field(() => String, { nullable: true, description: 'AI uses of this model.' })
  model?: string | null;

  @Field(() => String, { nullable: true, description: 'AI uses by this user.' })
  userId?: string | null;
}

import { Field, ID, InputType, Int } from 'type-graphql';
import { UsageMetric } from '../entities/usage-record.entity';

@InputType({ description: 'One metered use. The same `idempotencyKey` counts once; again with other values it is CONFLICT.' })
export class UsageRecordInput {
  @Field(() => ID)
  organizationId: string;

  @Field(() => UsageMetric)
  metric: UsageMetric;

  @Field(() => Int, { description: 'Minutes, AI calls or GB: 1 to 1,000,000.' })
  quantity: number;

  @Field(() => Date)
  occurredAt: Date;

  @Field(() => String, { description: 'Chosen by the caller, unique per use: a retry sends the same.' })
  idempotencyKey: string;
}

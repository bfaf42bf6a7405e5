import { Field, Int, ObjectType } from 'type-graphql';
import { Subscription } from '../entities/subscription.entity';

@ObjectType('PlanChange', { description: 'What a plan change did.' })
export class PlanChange {
  @Field(() => Subscription)
  subscription: Subscription;

  @Field(() => Int, { description: 'Charged now for the rest of the period (an upgrade), in minor units; billed on the next invoice.' })
  prorationCents: number;

  @Field(() => String, { description: '`now` (an upgrade, or undoing a waiting downgrade) or `period_end` (a downgrade).' })
  effective: string;
}

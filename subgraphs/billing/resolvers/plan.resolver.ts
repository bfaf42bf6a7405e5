import { Ctx, Query, Resolver } from 'type-graphql';
import { Public } from '../../../platform/access-directives';
import type { BillingContext } from '../context';
import { Plan } from '../entities/plan.entity';

@Resolver(() => Plan)
export class PlanResolver {
  @Query(() => [Plan], { nullable: true, description: 'The plans on offer, cheapest first. Needs no token.' })
  @Public()
  async plans(@Ctx() context: BillingContext): Promise<Plan[]> {
    return context.services.plans.list();
  }
}

import { IsOptional } from 'class-validator';
import { Field, ID, InputType, Int } from 'type-graphql';

@InputType({ description: "Changes an API key's own budgets per rate-limit window; what is left out stays." })
export class UpdateApiKeyLimitsInput {
  @Field(() => ID, { description: 'The key, `apikey_…`, of your organization.' })
  id: string;

  @Field(() => Int, { nullable: true, description: 'Requests per window: 1 to 100,000.' })
  @IsOptional()
  requestsPerWindow?: number | null;

  @Field(() => Int, { nullable: true, description: 'Summed operation cost per window: 100 to 100,000,000.' })
  @IsOptional()
  costPerWindow?: number | null;
}

import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import { SESSION_POLICY_BOUNDS } from '../services/session-policy.service';

const { idle, absolute } = SESSION_POLICY_BOUNDS;

@InputType({ description: 'A new session policy; a field left out keeps its current value.' })
export class SessionPolicyInput {
  @Field(() => Int, { nullable: true, description: `Idle timeout in minutes: ${idle.min} (5 minutes) to ${idle.max} (30 days).` })
  @IsOptional()
  @IsInt()
  @Min(idle.min, { message: `must be at least ${idle.min} minutes` })
  @Max(idle.max, { message: `must be at most ${idle.max} minutes (30 days)` })
  idleTimeoutMinutes?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: `Absolute lifetime in minutes: ${absolute.min} (1 hour) to ${absolute.max} (90 days).`,
  })
  @IsOptional()
  @IsInt()
  @Min(absolute.min, { message: `must be at least ${absolute.min} minutes (1 hour)` })
  @Max(absolute.max, { message: `must be at most ${absolute.max} minutes (90 days)` })
  absoluteLifetimeMinutes?: number | null;
}

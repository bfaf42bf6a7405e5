import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('SessionPolicy', {
  description:
    "An organization's automatic log-off: a sign-in session ends when it goes unrefreshed for the idle timeout, and at the latest when it reaches its absolute lifetime.",
})
export class SessionPolicy {
  organizationId: string;

  @Field(() => Int, { description: 'A session not refreshed for this many minutes ends at its next refresh.' })
  idleTimeoutMinutes: number;

  @Field(() => Int, { description: 'A session ends this many minutes after sign-in, however often it is refreshed.' })
  absoluteLifetimeMinutes: number;

  @Field(() => Boolean, { description: 'Whether these are the defaults (no admin has set a policy).' })
  isDefault: boolean;

  @Field(() => Date, { nullable: true, description: 'When an admin last set it; null for the defaults.' })
  updatedAt: Date | null;
}

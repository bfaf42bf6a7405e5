import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('MfaStatus', { description: 'Your second factor: whether sign-in asks you for a code of your authenticator app.' })
export class MfaStatus {
  @Field(() => Boolean, { description: 'Whether it is set up (an enrolment waiting for its first code is not).' })
  enabled: boolean;

  @Field(() => Date, { nullable: true, description: 'When it was set up.' })
  enabledAt: Date | null;

  @Field(() => Int, { description: 'Recovery codes not used yet (each signs in once in place of a code).' })
  recoveryCodesLeft: number;
}

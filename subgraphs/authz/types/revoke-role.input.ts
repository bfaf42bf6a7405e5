import { Field, ID, InputType } from 'type-graphql';

@InputType({ description: 'A role to take away from a user of your organization.' })
export class RevokeRoleInput {
  @Field(() => ID)
  userId: string;

  @Field(() => ID)
  roleId: string;

  @Field(() => ID, { nullable: true, description: "Defaults to your token's organization, and must be it." })
  organizationId?: string;
}

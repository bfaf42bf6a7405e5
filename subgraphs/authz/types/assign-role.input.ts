import { IsDate, IsOptional } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';

@InputType({ description: 'A role for a user of your organization.' })
export class AssignRoleInput {
  @Field(() => ID)
  userId: string;

  @Field(() => ID)
  roleId: string;

  @Field(() => Date, { nullable: true, description: 'When the role stops granting; omitted: until revoked.' })
  @IsOptional()
  @IsDate({ message: 'must be a date' })
  expiresAt?: Date | null;

  @Field(() => ID, { nullable: true, description: "Defaults to your token's organization, and must be it." })
  organizationId?: string;
}

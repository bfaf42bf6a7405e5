import { Field, ObjectType } from 'type-graphql';

@ObjectType('RoleAssignment', { description: 'A role held by a user in an organization, until revoked or until it expires.' })
export class RoleAssignmentType {
  organizationId: string;
  userId: string;
  roleId: string;

  @Field(() => Date, { nullable: true, description: 'When it stops granting; null: until revoked.' })
  expiresAt: Date | null;

  @Field(() => Boolean, { description: 'Whether it grants anything now (false once expired or revoked).' })
  active: boolean;
}

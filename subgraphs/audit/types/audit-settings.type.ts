import { Field, ID, Int, ObjectType } from 'type-graphql';

@ObjectType('AuditSettings')
export class AuditSettingsType {
  @Field(() => ID)
  organizationId: string;

  @Field(() => Int, { description: 'Days events stay in the live log before they are archived (90 by default).' })
  retentionDays: number;
}

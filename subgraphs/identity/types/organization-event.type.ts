import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';

export enum OrganizationEventType {
  MEMBER_ADDED = 'MEMBER_ADDED',
  MEMBER_REMOVED = 'MEMBER_REMOVED',
}
registerEnumType(OrganizationEventType, { name: 'OrganizationEventType', description: 'What happened in an organization.' });

/** Published on the event bus to `organization-events.<org id>` after the change has committed. */
@ObjectType('OrganizationEvent', { description: 'A change to an organization’s membership, as it happens.' })
export class OrganizationEvent {
  @Field(() => OrganizationEventType)
  type: OrganizationEventType;

  @Field(() => ID, { description: 'The membership added or removed, `mem_…`.' })
  membershipId: string;

  organizationId: string;
  userId: string;

  @Field(() => Date)
  at: Date;
}

export const ORGANIZATION_EVENTS_TOPIC = 'organization-events';

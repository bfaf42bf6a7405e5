import { Directive, Field, ID, ObjectType } from 'type-graphql';

/** Billing's view of an organization: identity owns it, billing adds its subscription. */
@ObjectType('Organization')
@Directive('@key(fields: "id")')
export class BillingOrganization {
  @Field(() => ID)
  id: string;
}

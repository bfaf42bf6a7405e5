import { Field, ObjectType } from 'type-graphql';
import { PermissionCheckType } from './permission-check.type';

@ObjectType('PermissionExplanation', { description: 'A decision with the policy lines that produced it.' })
export class PermissionExplanationType extends PermissionCheckType {
  @Field(() => [String], {
    description: 'Casbin policy lines (`g, user, role, org` and `p, role, org, resource, action`) that grant it; empty when denied.',
  })
  policyLines: string[];

  @Field(() => String, { description: 'The decision in words.' })
  reason: string;
}

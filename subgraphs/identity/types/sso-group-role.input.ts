import { Field, InputType } from 'type-graphql';
import { RequiredSingleLineText } from '../../../platform/validation';

@InputType({ description: 'A group the identity provider names, and the system role its members get.' })
export class SsoGroupRoleInput {
  @Field(() => String, { description: 'The group, as the identity provider sends it (at most 256 characters).' })
  @RequiredSingleLineText(256)
  group: string;

  @Field(() => String, { description: 'A system role: `admin`, `billing_manager`, `member` or `guest`.' })
  @RequiredSingleLineText(64)
  role: string;
}

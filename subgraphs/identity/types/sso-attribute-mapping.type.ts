import { Field, ObjectType } from 'type-graphql';
import { SsoGroupRole } from './sso-group-role.type';

@ObjectType('SsoAttributeMapping', {
  description: 'Which SAML attribute or OIDC claim of a sign-in holds the email address, the name and the groups.',
})
export class SsoAttributeMapping {
  @Field(() => String, { description: 'The attribute or claim holding the email address (default `email`).' })
  emailAttribute: string;

  @Field(() => String, { description: 'The attribute or claim holding the display name (default `name`).' })
  nameAttribute: string;

  @Field(() => String, { description: 'The attribute or claim listing the groups (default `groups`).' })
  groupsAttribute: string;

  @Field(() => [SsoGroupRole], { description: 'Groups that give a role other than the default one.' })
  groupRoles: SsoGroupRole[];
}

import { Arg, Ctx, FieldResolver, ID, Resolver, Root, Subscription } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requireOrganization } from '../../../platform/context';
import { NotFoundError } from '../../../platform/errors';
import { organizationTopic } from '../../../platform/events';
import type { IdentityContext } from '../context';
import { Organization } from '../entities/organization.entity';
import { User } from '../entities/user.entity';
import { ORGANIZATION_EVENTS_TOPIC, OrganizationEvent } from '../types/organization-event.type';

@Resolver(() => OrganizationEvent)
export class OrganizationEventResolver {
  @Subscription(() => OrganizationEvent, {
    description: 'Members added to and removed from an organization (yours), as it happens.',
    subscribe: ({ args, context }) => {
      const { organizationId } = args as { organizationId: string };
      const identity = context as IdentityContext;
      requireOrganization(identity, organizationId, 'organizationId');
      return identity.services.events.subscribe(organizationTopic(ORGANIZATION_EVENTS_TOPIC, organizationId));
    },
  })
  @RequiresPermission('members', 'read')
  organizationEvents(@Arg('organizationId', () => ID) _organizationId: string, @Root() event: OrganizationEvent): OrganizationEvent {
    return event;
  }

  @FieldResolver(() => Organization)
  async organization(@Root() event: OrganizationEvent, @Ctx() context: IdentityContext): Promise<Organization> {
    const organization = await context.loaders.organizationById.load(event.organizationId);
    if (!organization) throw new NotFoundError('Organization', event.organizationId);
    return organization;
  }

  @FieldResolver(() => User)
  async user(@Root() event: OrganizationEvent, @Ctx() context: IdentityContext): Promise<User> {
    const user = await context.loaders.userById.load(event.userId);
    if (!user) throw new NotFoundError('User', event.userId);
    return user;
  }
}

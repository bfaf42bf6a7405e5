import { Arg, Ctx, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { RequiresPermission } from '../../../platform/access-directives';
import { requireOrganization, requirePrincipal } from '../../../platform/context';
import type { AuditContext } from '../context';
import { SecurityEventStatus } from '../entities/security-event.entity';
import type { SecurityEvent } from '../entities/security-event.entity';
import { SecurityEventType } from '../types/security-event.type';

@Resolver()
export class SecurityEventResolver {
  @Query(() => [SecurityEventType], {
    name: 'securityEvents',
    description: 'Your organization’s security events, newest first (at most 100).',
  })
  @RequiresPermission('audit', 'read')
  async listSecurityEvents(
    @Arg('organizationId', () => ID) organizationId: string,
    @Arg('status', () => SecurityEventStatus, { nullable: true }) status: SecurityEventStatus | null,
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Ctx() context: AuditContext,
  ): Promise<SecurityEvent[]> {
    return context.services.securityEvents.list(requirePrincipal(context), organizationId, status ?? null, first);
  }

  @Mutation(() => SecurityEventType, { description: 'Acknowledges or resolves a security event (open → acknowledged → resolved).' })
  @RequiresPermission('audit', 'update')
  async updateSecurityEventStatus(
    @Arg('id', () => ID) id: string,
    @Arg('status', () => SecurityEventStatus) status: SecurityEventStatus,
    @Ctx() context: AuditContext,
  ): Promise<SecurityEvent> {
    return context.services.securityEvents.changeStatus(requirePrincipal(context), id, status);
  }

  @Subscription(() => SecurityEventType, {
    name: 'securityEvents',
    description: 'Security events of your organization as they open, grow or change status.',
    subscribe: ({ args, context }) => {
      const { organizationId } = args as { organizationId: string };
      const audit = context as AuditContext;
      requireOrganization(audit, organizationId, 'organizationId');
      return audit.services.securityEvents.live(organizationId);
    },
  })
  @RequiresPermission('audit', 'read')
  securityEventStream(@Arg('organizationId', () => ID) _organizationId: string, @Root() event: SecurityEvent): SecurityEvent {
    return event;
  }
}

import type { EntityManager } from 'typeorm';
import { OWNER_ROLE_ID } from '../../../platform/authorization/system-roles';
import type { AnyEvent } from '../../../platform/outbox/event-catalogue';
import type { AssignmentService } from './assignment.service';
import type { PolicyWriter } from './policy-writer';

/**
 * What a completed access review asks of authz (compliance's `compliance.access_review.revoke_requested`):
 * the role goes, stated as `authz.role.unassigned` with the review's ids, in the consumer's
 * transaction (so once per event id). A role already gone changes nothing, and the organization's
 * last owner keeps the owner role (the rule every other way of taking it follows).
 */
export class AccessReviewRevocationService {
  constructor(
    private readonly writer: PolicyWriter,
    private readonly assignments: AssignmentService,
  ) {}

  async apply(event: AnyEvent, manager: EntityManager): Promise<void> {
    if (event.type !== 'compliance.access_review.revoke_requested') return;
    const { organizationId, userId, roleId, reviewId, entryId, requestedById } = event.payload;
    await this.writer.lock(manager, organizationId);
    if (roleId === OWNER_ROLE_ID && !(await this.assignments.hasAnotherOwner(manager, organizationId, userId))) return;
    await this.assignments.unassignWithin(manager, organizationId, userId, roleId, {
      unassignedById: requestedById,
      reason: 'access_review',
      reviewId,
      entryId,
    });
  }

  /** Once applied: every process drops its cached policy. */
  async afterCommit(): Promise<void> {
    await this.writer.changed();
  }
}

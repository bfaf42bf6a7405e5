import type { DataSource } from 'typeorm';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../platform/errors';
import { newId, parseId } from '../../../platform/ids';
import type { Outbox } from '../../../platform/outbox/outbox';
import { LegalHold } from '../entities/legal-hold.entity';
import type { Caller } from './caller';
import type { MembershipService } from './membership.service';
import { MAX_LISTED } from './consent.service';

export interface PlaceLegalHold {
  organizationId: string;
  /** Absent: the whole organization. */
  userId?: string | null;
  reason: string;
  reference?: string | null;
}

export const MAX_REASON_LENGTH = 1000;
export const MAX_REFERENCE_LENGTH = 200;

/** Line breaks and tabs allowed, no other control character. */
const MULTI_LINE = /^(?:[\t\n\r]|[^\p{Cc}])*$/u;
const SINGLE_LINE = /^[^\p{Cc}]*$/u;

/**
 * Legal holds: an owner or admin (`compliance:manage`) holds one person's data, or the whole
 * organization's, for a matter; while any active hold covers a person, `isHeld` says so and
 * nothing of theirs may be deleted. Placing and releasing are facts for the other subgraphs
 * (`compliance.legal_hold.placed`, `compliance.legal_hold.released`), written with the change.
 */
export class LegalHoldService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly memberships: MembershipService,
  ) {}

  async place(caller: Caller, input: PlaceLegalHold): Promise<LegalHold> {
    const { principal } = caller;
    assertOwnOrganization(principal, input.organizationId, 'input.organizationId');
    const reason = checkText(input.reason, 'input.reason', MAX_REASON_LENGTH, MULTI_LINE);
    const reference = input.reference == null ? null : checkText(input.reference, 'input.reference', MAX_REFERENCE_LENGTH, SINGLE_LINE);
    const userId = input.userId == null ? null : parseId('user', input.userId, 'input.userId');
    // A former member's data is what a hold is most often about: anyone who ever belonged to the organization.
    if (userId && !(await this.memberships.statusOf(input.organizationId, userId)))
      throw new NotFoundError('Member', userId, 'input.userId');
    return this.dataSource.transaction(async (manager) => {
      const hold = await manager.save(
        manager.create(LegalHold, {
          id: newId('legalHold'),
          organizationId: input.organizationId,
          userId,
          reason,
          reference,
          placedById: principal.userId,
          releasedAt: null,
          releasedById: null,
          releaseNote: null,
        }),
      );
      await this.outbox.add(manager, {
        type: 'compliance.legal_hold.placed',
        payload: { organizationId: hold.organizationId, holdId: hold.id, userId, placedById: principal.userId, reference },
      });
      return hold;
    });
  }

  /** Releases an active hold of the caller's organization, saying why; the hold stays, released. */
  async release(caller: Caller, id: string, note: string): Promise<LegalHold> {
    const { principal } = caller;
    const holdId = parseId('legalHold', id, 'id');
    const releaseNote = checkText(note, 'note', MAX_REASON_LENGTH, MULTI_LINE);
    return this.dataSource.transaction(async (manager) => {
      const hold = await manager.findOne(LegalHold, {
        where: { id: holdId, organizationId: principal.organizationId },
        lock: { mode: 'pessimistic_write' },
      });
      if (!hold) throw new NotFoundError('LegalHold', holdId, 'id');
      if (hold.releasedAt) throw new ConflictError(`id: the legal hold ${holdId} was already released`, 'id');
      hold.releasedAt = new Date();
      hold.releasedById = principal.userId;
      hold.releaseNote = releaseNote;
      await manager.save(hold);
      await this.outbox.add(manager, {
        type: 'compliance.legal_hold.released',
        payload: { organizationId: hold.organizationId, holdId: hold.id, userId: hold.userId, releasedById: principal.userId },
      });
      return hold;
    });
  }

  /** The organization's holds, newest first: all of them, only the active (`true`) or only the released (`false`). */
  async list(caller: Caller, organizationId: string, active?: boolean | null): Promise<LegalHold[]> {
    assertOwnOrganization(caller.principal, organizationId);
    const query = this.dataSource
      .getRepository(LegalHold)
      .createQueryBuilder('hold')
      .where('hold.organization_id = :organizationId', { organizationId })
      .orderBy('hold.placed_at', 'DESC')
      .addOrderBy('hold.id', 'DESC');
    if (active === true) query.andWhere('hold.released_at IS NULL');
    if (active === false) query.andWhere('hold.released_at IS NOT NULL');
    return query.limit(MAX_LISTED).getMany();
  }

  /** Whether any active hold covers the person's data in the organization: one on them, or one on the whole organization. */
  async isHeld(organizationId: string, userId: string): Promise<boolean> {
    return this.dataSource
      .getRepository(LegalHold)
      .createQueryBuilder('hold')
      .where('hold.organization_id = :organizationId AND hold.released_at IS NULL', { organizationId })
      .andWhere('(hold.user_id IS NULL OR hold.user_id = :userId)', { userId })
      .getExists();
  }

  /** What the active holds of an organization cover now: all of it, or these people (for retention and reports). */
  async heldIn(organizationId: string): Promise<{ organization: boolean; userIds: string[]; active: number }> {
    const holds = await this.dataSource
      .getRepository(LegalHold)
      .createQueryBuilder('hold')
      .select(['hold.id', 'hold.userId'])
      .where('hold.organization_id = :organizationId AND hold.released_at IS NULL', { organizationId })
      .getMany();
    return {
      organization: holds.some((hold) => hold.userId === null),
      userIds: [...new Set(holds.flatMap((hold) => (hold.userId ? [hold.userId] : [])))].sort(),
      active: holds.length,
    };
  }
}

function checkText(value: unknown, field: string, max: number, allowed: RegExp): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (!text || text.length > max || !allowed.test(text)) {
    throw new BadUserInputError(`${field}: not blank, at most ${max} characters, without control characters`, field);
  }
  return text;
}

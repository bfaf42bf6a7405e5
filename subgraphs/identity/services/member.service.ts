import { In } from 'typeorm';
import { selectByIds } from '../../../platform/select-by-ids';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import type { Authorizer } from '../../../platform/authorization/authorizer';
import { OWNER_ROLE_ID } from '../../../platform/authorization/system-roles';
import { ConflictError, ForbiddenError, NotFoundError } from '../../../platform/errors';
import { organizationTopic } from '../../../platform/events';
import type { EventBus } from '../../../platform/events';
import { MEMBERSHIP_CHANGE_SETTLED_BY } from '../../../platform/outbox/event-catalogue';
import type { MembershipFact } from '../../../platform/outbox/event-catalogue';
import type { Outbox } from '../../../platform/outbox/outbox';
import { ORGANIZATION_EVENTS_TOPIC, OrganizationEventType } from '../types/organization-event.type';
import type { OrganizationEvent } from '../types/organization-event.type';
import { newId, parseId } from '../../../platform/ids';
import { MemberStatus, OrganizationMember } from '../entities/organization-member.entity';
import { Organization } from '../entities/organization.entity';
import type { IdentityLoaders } from '../loaders';
import { isUniqueViolation } from './postgres-errors';
import type { UserService } from './user.service';

export interface AddMember {
  organizationId: string;
  email: string;
  name?: string | null;
  /** The role the new member gets: the member role unless an invitation names another. */
  roleId?: string;
  /** More work in the same transaction, before the role is granted (an invitation marked accepted). */
  alongside?: (manager: EntityManager) => Promise<void>;
}

export class MemberService {
  private readonly members: Repository<OrganizationMember>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserService,
    private readonly outbox: Outbox,
    private readonly events: EventBus,
    private readonly authorizer: Authorizer,
  ) {
    this.members = dataSource.getRepository(OrganizationMember);
    this.findByIds = selectByIds(dataSource, OrganizationMember);
  }

  async get(id: string): Promise<OrganizationMember> {
    const member = await this.members.findOneBy({ id });
    if (!member) throw new NotFoundError('OrganizationMember', id, 'id');
    return member;
  }

  /** A membership of the caller's organization; a malformed id is BAD_USER_INPUT, one of another organization NOT_FOUND. */
  async getInOrganization(principal: Principal, id: string, field = 'id'): Promise<OrganizationMember> {
    const member = await this.findVisible(principal, parseId('member', id, field));
    if (!member) throw new NotFoundError('OrganizationMember', id, field);
    return member;
  }

  /**
   * `OrganizationMember` by key, for other subgraphs: null unless it is a membership of the
   * caller's organization. With `loaders`, the keys of one request are looked up together.
   */
  async findVisible(principal: Principal, id: string, loaders?: Pick<IdentityLoaders, 'memberById'>): Promise<OrganizationMember | null> {
    if (typeof id !== 'string') return null;
    const member = loaders ? await loaders.memberById.load(id) : await this.members.findOneBy({ id });
    return member?.organizationId === principal.organizationId ? member : null;
  }

  /** Behind the `organizationMemberById` loader: plain SQL, as every request makes it. */
  readonly findByIds: (ids: readonly string[]) => Promise<OrganizationMember[]>;

  async listByOrganizations(organizationIds: readonly string[]): Promise<OrganizationMember[]> {
    if (organizationIds.length === 0) return [];
    return this.members.find({ where: { organizationId: In([...organizationIds]) }, order: { id: 'ASC' } });
  }

  async listByUsers(userIds: readonly string[]): Promise<OrganizationMember[]> {
    if (userIds.length === 0) return [];
    return this.members.find({ where: { userId: In([...userIds]) }, order: { id: 'ASC' } });
  }

  /** A user's memberships: all of them for the user themselves, only the one in the caller's organization for anyone else. */
  async listVisibleForUser(
    principal: Principal,
    userId: string,
    loaders: Pick<IdentityLoaders, 'membershipsByUserId'>,
  ): Promise<OrganizationMember[]> {
    const memberships = await loaders.membershipsByUserId.load(userId);
    return userId === principal.userId ? memberships : memberships.filter((m) => m.organizationId === principal.organizationId);
  }

  async isActiveMember(organizationId: string, userId: string): Promise<boolean> {
    return this.members.existsBy({ organizationId, userId, status: MemberStatus.ACTIVE });
  }

  /**
   * Makes the person with this email a member of the organization, creating the user if
   * needed; authz gives them the member role (or `roleId`) from the fact. People join by
   * accepting an invitation; this is what acceptance (and the demo loader) calls. Membership
   * changes answer once authz has applied their fact and this process's revocations have
   * taken it in (bounded: see OrganizationService.create).
   */
  async add(input: AddMember): Promise<OrganizationMember> {
    let member: OrganizationMember;
    let eventId: string;
    try {
      ({ member, eventId } = await this.dataSource.transaction(async (manager) => {
        const user = await this.users.ensureByEmail({ email: input.email, name: input.name ?? null }, manager);
        const member = await manager.save(
          manager.create(OrganizationMember, {
            id: newId('member'),
            organizationId: input.organizationId,
            userId: user.id,
            status: MemberStatus.ACTIVE,
          }),
        );
        await input.alongside?.(manager);
        const eventId = await this.outbox.add(manager, {
          type: 'identity.member.added',
          payload: { ...factOf(member), status: member.status, ...(input.roleId ? { roleId: input.roleId } : {}) },
        });
        return { member, eventId };
      }));
    } catch (error) {
      if (isUniqueViolation(error, 'organization_members_organization_user_key')) {
        throw new ConflictError(`email: ${input.email.trim().toLowerCase()} is already a member of this organization`, 'email');
      }
      throw error;
    }
    await this.outbox.appliedBy(MEMBERSHIP_CHANGE_SETTLED_BY, eventId);
    await this.publish(OrganizationEventType.MEMBER_ADDED, member);
    return member;
  }

  /** After the change committed; a lost event is a missed live update, never a lost change. */
  private async publish(type: OrganizationEventType, member: OrganizationMember): Promise<void> {
    const event: OrganizationEvent = {
      type,
      membershipId: member.id,
      organizationId: member.organizationId,
      userId: member.userId,
      at: new Date(),
    };
    await this.events.publish(organizationTopic(ORGANIZATION_EVENTS_TOPIC, member.organizationId), event).catch(() => undefined);
  }

  /**
   * Suspends or reactivates a membership of the caller's organization; nobody changes their
   * own, and only an owner may suspend an owner. A suspended member's tokens are refused
   * everywhere from the next request on, and their open sockets close.
   */
  async setStatus(principal: Principal, id: string, status: MemberStatus): Promise<OrganizationMember> {
    const { member, eventId } = await this.changeLockingOrganization(principal, id, async (manager, member) => {
      if (member.userId === principal.userId) {
        throw new ForbiddenError('id: you cannot change the status of your own membership; another administrator can', { field: 'id' });
      }
      if (member.status === status) return { member, eventId: undefined };
      if (status !== MemberStatus.ACTIVE) {
        await assertNotLastActive(manager, member);
        await this.assertOwnerMayGo(manager, principal, member, 'suspend');
      }
      member.status = status;
      const saved = await manager.save(member);
      if (status !== MemberStatus.ACTIVE) await this.endSessions(manager, principal, member, 'member_suspended');
      const eventId = await this.outbox.add(manager, {
        type: 'identity.member.status_changed',
        payload: { ...factOf(saved), status: saved.status },
      });
      return { member: saved, eventId };
    });
    if (eventId) await this.outbox.appliedBy(MEMBERSHIP_CHANGE_SETTLED_BY, eventId);
    return member;
  }

  /** Removes a membership of the caller's organization, with every role it held. Only an owner may remove an owner. */
  async remove(principal: Principal, id: string): Promise<OrganizationMember> {
    const { member: removed, eventId } = await this.changeLockingOrganization(principal, id, async (manager, member) => {
      await assertNotLastActive(manager, member);
      await this.assertOwnerMayGo(manager, principal, member, 'remove');
      await manager.delete(OrganizationMember, { id });
      await this.endSessions(manager, principal, member, 'member_removed');
      const eventId = await this.outbox.add(manager, { type: 'identity.member.removed', payload: factOf(member) });
      return { member, eventId };
    });
    await this.outbox.appliedBy(MEMBERSHIP_CHANGE_SETTLED_BY, eventId);
    await this.publish(OrganizationEventType.MEMBER_REMOVED, removed);
    return removed;
  }

  /**
   * A suspended or removed member's open sessions end with the membership (their refresh
   * tokens are refused from now on, and reactivation does not reopen them), each a fact naming
   * who ended it. Their access tokens are refused already by the membership's own fact.
   */
  private async endSessions(
    manager: EntityManager,
    principal: Principal,
    member: OrganizationMember,
    reason: 'member_suspended' | 'member_removed',
  ): Promise<void> {
    const [ended] = (await manager.query(
      `UPDATE identity.sessions SET revoked_at = now(), revoked_reason = $3
        WHERE organization_id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > now() RETURNING id`,
      [member.organizationId, member.userId, reason],
    )) as [{ id: string }[], number];
    for (const session of ended) {
      await this.outbox.add(manager, {
        type: 'identity.session.revoked',
        payload: {
          organizationId: member.organizationId,
          userId: member.userId,
          sessionId: session.id,
          reason,
          revokedById: principal.userId,
        },
      });
    }
  }

  /**
   * An owner can only be suspended or removed by an owner, and never when no other owner
   * would be left. Owners that count are active members whose owner role does not expire:
   * one that lapses, or a suspended one, cannot administer the organization. Read from the
   * policy table itself, not a cached copy.
   */
  private async assertOwnerMayGo(
    manager: EntityManager,
    principal: Principal,
    member: OrganizationMember,
    change: 'suspend' | 'remove',
  ): Promise<void> {
    const policy = await this.authorizer.currentPolicy(member.organizationId);
    const now = this.authorizer.now();
    if (!policy.holds(member.userId, OWNER_ROLE_ID, now)) return;
    if (!policy.holds(principal.userId, OWNER_ROLE_ID, now)) {
      throw new ForbiddenError(`id: only an owner may ${change} an owner`, { field: 'id' });
    }
    const otherOwners = policy.permanentHolders(OWNER_ROLE_ID).filter((userId) => userId !== member.userId);
    const activeOtherOwners =
      otherOwners.length === 0
        ? 0
        : await manager.countBy(OrganizationMember, {
            organizationId: member.organizationId,
            userId: In(otherOwners),
            status: MemberStatus.ACTIVE,
          });
    if (activeOtherOwners === 0) {
      throw new ConflictError(
        'id: this member is the last owner of the organization; make another active member owner, without an expiry, first',
        'id',
      );
    }
  }

  /** Membership changes of one organization run one at a time, so two removals cannot both pass the last-member check. */
  private async changeLockingOrganization<T>(
    principal: Principal,
    id: string,
    change: (manager: EntityManager, member: OrganizationMember) => Promise<T>,
  ): Promise<T> {
    const { organizationId } = await this.getInOrganization(principal, id);
    return this.dataSource.transaction(async (manager) => {
      await manager
        .getRepository(Organization)
        .createQueryBuilder('organization')
        .setLock('pessimistic_write')
        .where({ id: organizationId })
        .getOne();
      const member = await manager.findOneBy(OrganizationMember, { id });
      if (!member) throw new NotFoundError('OrganizationMember', id, 'id');
      return change(manager, member);
    });
  }
}

function factOf(member: OrganizationMember): MembershipFact {
  return { organizationId: member.organizationId, userId: member.userId, membershipId: member.id };
}

/** An organization always keeps at least one active member, or nobody could administer it. */
async function assertNotLastActive(manager: EntityManager, member: OrganizationMember): Promise<void> {
  if (member.status !== MemberStatus.ACTIVE) return;
  const active = await manager.countBy(OrganizationMember, { organizationId: member.organizationId, status: MemberStatus.ACTIVE });
  if (active <= 1) throw new ConflictError('id: this is the last active member of the organization', 'id');
}

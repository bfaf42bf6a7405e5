import { In } from 'typeorm';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { AccessProvisioner } from '../../../platform/authorization/access-provisioner';
import { MEMBER_ROLE_ID } from '../../../platform/authorization/system-roles';
import { ConflictError, NotFoundError } from '../../../platform/errors';
import { organizationTopic } from '../../../platform/events';
import type { EventBus } from '../../../platform/events';
import { ORGANIZATION_EVENTS_TOPIC, OrganizationEventType } from '../types/organization-event.type';
import type { OrganizationEvent } from '../types/organization-event.type';
import { newId } from '../../../platform/ids';
import { MemberStatus, OrganizationMember } from '../entities/organization-member.entity';
import { Organization } from '../entities/organization.entity';
import { isUniqueViolation } from './postgres-errors';
import type { UserService } from './user.service';

export interface AddMember {
  organizationId: string;
  email: string;
  name?: string | null;
}

export class MemberService {
  private readonly members: Repository<OrganizationMember>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserService,
    private readonly provisioner: AccessProvisioner,
    private readonly events: EventBus,
  ) {
    this.members = dataSource.getRepository(OrganizationMember);
  }

  async get(id: string): Promise<OrganizationMember> {
    const member = await this.members.findOneBy({ id });
    if (!member) throw new NotFoundError('OrganizationMember', id, 'id');
    return member;
  }

  async listByOrganizations(organizationIds: readonly string[]): Promise<OrganizationMember[]> {
    if (organizationIds.length === 0) return [];
    return this.members.find({ where: { organizationId: In([...organizationIds]) }, order: { id: 'ASC' } });
  }

  async listByUsers(userIds: readonly string[]): Promise<OrganizationMember[]> {
    if (userIds.length === 0) return [];
    return this.members.find({ where: { userId: In([...userIds]) }, order: { id: 'ASC' } });
  }

  async isActiveMember(organizationId: string, userId: string): Promise<boolean> {
    return this.members.existsBy({ organizationId, userId, status: MemberStatus.ACTIVE });
  }

  /** Adds the person with this email to the organization with the member role, creating the user if needed. */
  async add(input: AddMember): Promise<OrganizationMember> {
    let member: OrganizationMember;
    try {
      member = await this.dataSource.transaction(async (manager) => {
        const user = await this.users.ensureByEmail({ email: input.email, name: input.name ?? null }, manager);
        const member = await manager.save(
          manager.create(OrganizationMember, {
            id: newId('member'),
            organizationId: input.organizationId,
            userId: user.id,
            status: MemberStatus.ACTIVE,
          }),
        );
        await this.provisioner.grant(input.organizationId, user.id, MEMBER_ROLE_ID);
        return member;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'organization_members_organization_user_key')) {
        throw new ConflictError(`email: ${input.email.trim().toLowerCase()} is already a member of this organization`, 'email');
      }
      throw error;
    }
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

  async setStatus(id: string, status: MemberStatus): Promise<OrganizationMember> {
    return this.changeLockingOrganization(id, async (manager, member) => {
      if (member.status === status) return member;
      if (status !== MemberStatus.ACTIVE) await assertNotLastActive(manager, member);
      member.status = status;
      return manager.save(member);
    });
  }

  async remove(id: string): Promise<OrganizationMember> {
    const removed = await this.changeLockingOrganization(id, async (manager, member) => {
      await assertNotLastActive(manager, member);
      await manager.delete(OrganizationMember, { id });
      await this.provisioner.revokeAll(member.organizationId, member.userId);
      return member;
    });
    await this.publish(OrganizationEventType.MEMBER_REMOVED, removed);
    return removed;
  }

  /** Membership changes of one organization run one at a time, so two removals cannot both pass the last-member check. */
  private async changeLockingOrganization(
    id: string,
    change: (manager: EntityManager, member: OrganizationMember) => Promise<OrganizationMember>,
  ): Promise<OrganizationMember> {
    const { organizationId } = await this.get(id);
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

/** An organization always keeps at least one active member, or nobody could administer it. */
async function assertNotLastActive(manager: EntityManager, member: OrganizationMember): Promise<void> {
  if (member.status !== MemberStatus.ACTIVE) return;
  const active = await manager.countBy(OrganizationMember, { organizationId: member.organizationId, status: MemberStatus.ACTIVE });
  if (active <= 1) throw new ConflictError('id: this is the last active member of the organization', 'id');
}

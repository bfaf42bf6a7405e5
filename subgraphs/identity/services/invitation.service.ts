import { createHash, randomBytes } from 'node:crypto';
import { LessThanOrEqual } from 'typeorm';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import type { Authorizer } from '../../../platform/authorization/authorizer';
import { formatPermission } from '../../../platform/authorization/permissions';
import { MEMBER_ROLE_ID } from '../../../platform/authorization/system-roles';
import { assertOwnOrganization } from '../../../platform/context';
import { ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../../../platform/errors';
import { newId, parseId } from '../../../platform/ids';
import { Invitation, InvitationStatus } from '../entities/invitation.entity';
import { OrganizationMember } from '../entities/organization-member.entity';
import type { User } from '../entities/user.entity';
import type { IdentityLoaders } from '../loaders';
import type { MemberService } from './member.service';
import { isUniqueViolation } from './postgres-errors';
import { normalizeEmail } from './user.service';
import type { UserService } from './user.service';

/** How long an invitation can be accepted. */
export const INVITATION_VALID_MS = 7 * 24 * 60 * 60 * 1000;

export interface InviteMember {
  organizationId: string;
  email: string;
  roleId?: string | null;
}

/** The status as a client sees it: a pending invitation past its expiry is expired. */
export function invitationStatus(invitation: Invitation, now = Date.now()): InvitationStatus {
  return invitation.status === InvitationStatus.PENDING && invitation.expiresAt.getTime() <= now
    ? InvitationStatus.EXPIRED
    : invitation.status;
}

/**
 * Invitations: the way a person joins an organization. The inviter names an email; the
 * person holding the invitation's secret token accepts or declines it. Nothing about an
 * existing user is shown to the inviter, and nobody becomes a member without accepting.
 * A person who already has an account must be signed in as it to answer; someone new
 * proves the address with the token alone, and their user is created on acceptance.
 */
export class InvitationService {
  private readonly invitations: Repository<Invitation>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly users: UserService,
    private readonly members: MemberService,
    private readonly authorizer: Authorizer,
    private readonly clock: () => number = Date.now,
  ) {
    this.invitations = dataSource.getRepository(Invitation);
  }

  /**
   * Invites `email` to the caller's organization with the member role or `roleId`, which the
   * caller must hold everything of (as for assigning it). Returns the invitation with its
   * secret token, which is shown this once.
   */
  async invite(principal: Principal, input: InviteMember): Promise<Invitation> {
    const organizationId = parseId('organization', input.organizationId, 'input.organizationId');
    assertOwnOrganization(principal, organizationId, 'input.organizationId');
    const email = normalizeEmail(input.email);
    const roleId = input.roleId == null ? MEMBER_ROLE_ID : parseId('role', input.roleId, 'input.roleId');
    await this.assertInviterMayGrant(principal, organizationId, roleId);

    const token = randomBytes(32).toString('base64url');
    try {
      return await this.dataSource.transaction(async (manager) => {
        const user = await this.users.findByEmail(email, manager);
        if (user && (await manager.existsBy(OrganizationMember, { organizationId, userId: user.id }))) {
          throw new ConflictError(`input.email: ${email} is already a member of this organization`, 'input.email');
        }
        // A lapsed invitation to the same person makes way for the new one.
        await manager.update(
          Invitation,
          { organizationId, email, status: InvitationStatus.PENDING, expiresAt: LessThanOrEqual(new Date(this.clock())) },
          { status: InvitationStatus.EXPIRED },
        );
        const invitation = await manager.save(
          manager.create(Invitation, {
            id: newId('invitation'),
            organizationId,
            email,
            roleId,
            status: InvitationStatus.PENDING,
            tokenHash: hashToken(token),
            invitedById: principal.userId,
            expiresAt: new Date(this.clock() + INVITATION_VALID_MS),
          }),
        );
        return Object.assign(invitation, { token });
      });
    } catch (error) {
      if (isUniqueViolation(error, 'invitations_pending_email_key')) {
        throw new ConflictError(
          `input.email: ${email} already has a pending invitation to this organization; revoke it to send a new one`,
          'input.email',
        );
      }
      throw error;
    }
  }

  /** Invitations of the caller's organization, newest first, optionally only those with `status`. */
  async list(principal: Principal, organizationId: string, status?: InvitationStatus | null): Promise<Invitation[]> {
    parseId('organization', organizationId, 'organizationId');
    assertOwnOrganization(principal, organizationId, 'organizationId');
    const query = this.invitations
      .createQueryBuilder('invitation')
      .where('invitation.organization_id = :organizationId', { organizationId })
      .orderBy('invitation.id', 'DESC');
    const now = new Date(this.clock());
    if (status === InvitationStatus.PENDING) {
      query.andWhere('invitation.status = :pending AND invitation.expires_at > :now', { pending: InvitationStatus.PENDING, now });
    } else if (status === InvitationStatus.EXPIRED) {
      query.andWhere('(invitation.status = :expired OR (invitation.status = :pending AND invitation.expires_at <= :now))', {
        expired: InvitationStatus.EXPIRED,
        pending: InvitationStatus.PENDING,
        now,
      });
    } else if (status) {
      query.andWhere('invitation.status = :status', { status });
    }
    return query.getMany();
  }

  /** Takes back a pending invitation of the caller's organization; its token stops working. */
  async revoke(principal: Principal, id: string): Promise<Invitation> {
    const invitation = await this.invitations.findOneBy({ id: parseId('invitation', id, 'id') });
    if (!invitation || invitation.organizationId !== principal.organizationId) throw new NotFoundError('Invitation', id, 'id');
    return this.answer(invitation, InvitationStatus.REVOKED, 'id');
  }

  /**
   * The invitee accepts: they become a member with the invitation's role. `principal` is
   * whoever is signed in (anyone, or nobody, for an address with no account yet).
   */
  async accept(principal: Principal | null, token: string): Promise<OrganizationMember> {
    const invitation = await this.byToken(token);
    await this.assertInvitee(principal, invitation);
    this.assertOpen(invitation, 'token');
    // A custom role deleted since the invitation was sent leaves the member role.
    const policy = await this.authorizer.currentPolicy(invitation.organizationId);
    return this.members.add({
      organizationId: invitation.organizationId,
      email: invitation.email,
      roleId: policy.permissionsOfRole(invitation.roleId).length > 0 ? invitation.roleId : MEMBER_ROLE_ID,
      alongside: (manager) => this.close(manager, invitation, InvitationStatus.ACCEPTED, 'token'),
    });
  }

  /** The invitee declines; the same people may decline as may accept. */
  async decline(principal: Principal | null, token: string): Promise<Invitation> {
    const invitation = await this.byToken(token);
    await this.assertInvitee(principal, invitation);
    return this.answer(invitation, InvitationStatus.DECLINED, 'token');
  }

  /** Who sent the invitation, as far as the caller may see them (nobody signed in sees no one). */
  async inviter(
    principal: Principal | null,
    invitation: Invitation,
    loaders: Pick<IdentityLoaders, 'userById' | 'membershipsByUserId'>,
  ): Promise<User | null> {
    if (!principal || !invitation.invitedById) return null;
    return this.users.getVisible(principal, invitation.invitedById, loaders);
  }

  private async answer(invitation: Invitation, status: InvitationStatus, field: string): Promise<Invitation> {
    this.assertOpen(invitation, field);
    await this.dataSource.transaction((manager) => this.close(manager, invitation, status, field));
    return (await this.invitations.findOneBy({ id: invitation.id }))!;
  }

  /** Moves a pending invitation on, once: of two answers at the same time, the second finds it no longer pending. */
  private async close(manager: EntityManager, invitation: Invitation, status: InvitationStatus, field: string): Promise<void> {
    const result = await manager
      .createQueryBuilder()
      .update(Invitation)
      .set({ status })
      .where('id = :id AND status = :pending AND expires_at > :now', {
        id: invitation.id,
        pending: InvitationStatus.PENDING,
        now: new Date(this.clock()),
      })
      .execute();
    if (result.affected !== 1) throw new ConflictError(`${field}: this invitation has already been answered or has expired`, field);
  }

  private assertOpen(invitation: Invitation, field: string): void {
    const status = invitationStatus(invitation, this.clock());
    if (status !== InvitationStatus.PENDING) {
      throw new ConflictError(`${field}: this invitation is ${status}; ask for a new one`, field);
    }
  }

  private async byToken(token: string): Promise<Invitation> {
    const invitation = token.length > 200 ? null : await this.invitations.findOneBy({ tokenHash: hashToken(token) });
    // The same answer for any token that is not a live one: a guess learns nothing.
    if (!invitation) throw new NotFoundError('Invitation', 'with this token', 'token');
    return invitation;
  }

  /** For an address that already has an account, only that account (signed in, with a token for any organization) may answer. */
  private async assertInvitee(principal: Principal | null, invitation: Invitation): Promise<void> {
    const user = await this.users.findByEmail(invitation.email);
    if (!user) return;
    if (!principal) throw new UnauthenticatedError('Sign in as the person invited to answer this invitation');
    if (principal.userId !== user.id) throw new ForbiddenError('token: this invitation is for someone else', { field: 'token' });
  }

  private async assertInviterMayGrant(principal: Principal, organizationId: string, roleId: string): Promise<void> {
    const policy = await this.authorizer.policyFor(organizationId);
    const permissions = policy.permissionsOfRole(roleId);
    if (permissions.length === 0) throw new NotFoundError('Role', roleId, 'input.roleId');
    const missing = policy.missing(principal.userId, permissions, this.authorizer.now());
    if (missing.length > 0) {
      throw new ForbiddenError(
        `input.roleId: role "${roleId}" grants ${missing.map(formatPermission).join(', ')}, which you do not hold yourself`,
        { field: 'input.roleId' },
      );
    }
  }
}

function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

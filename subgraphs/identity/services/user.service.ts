import { selectByIds } from '../../../platform/select-by-ids';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { NotFoundError } from '../../../platform/errors';
import { newId } from '../../../platform/ids';
import type { MemberStatus } from '../entities/organization-member.entity';
import { User } from '../entities/user.entity';
import { MfaRequirement } from '../types/mfa-requirement.type';
import type { IdentityLoaders } from '../loaders';

/** What `findForSignIn` reads. */
export interface UserAtSignIn {
  userId: string;
  memberStatus: MemberStatus | null;
  lockedUntil: Date | null;
  mfaEnabled: boolean;
  mfaRequirement: MfaRequirement;
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class UserService {
  private readonly users: Repository<User>;

  constructor(private readonly dataSource: DataSource) {
    this.users = dataSource.getRepository(User);
    this.findByIds = selectByIds(dataSource, User);
  }

  /** Behind the `userById` loader: plain SQL, as every request makes it. */
  readonly findByIds: (ids: readonly string[]) => Promise<User[]>;

  async findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  async findByEmail(email: string, manager: EntityManager = this.dataSource.manager): Promise<User | null> {
    return manager.getRepository(User).findOneBy({ email: normalizeEmail(email) });
  }

  /**
   * In one statement, what the checks of a sign-in to an organization read of the person with
   * this email: their membership's status (null when they are not a member), their open
   * lock-out, whether their second factor is on, and the organization's MFA requirement (NONE
   * when it set none). Undefined when no user has the email.
   */
  async findForSignIn(organizationId: string, email: string): Promise<UserAtSignIn | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT u.id AS user_id, m.status, l.locked_until, f.enabled_at IS NOT NULL AS mfa_enabled,
              COALESCE((SELECT p.requirement FROM identity.mfa_policies p WHERE p.organization_id = $1), $3) AS mfa_requirement
         FROM identity.users u
         LEFT JOIN identity.organization_members m ON m.organization_id = $1 AND m.user_id = u.id
         LEFT JOIN identity.sign_in_lockouts l ON l.organization_id = $1 AND l.user_id = u.id AND l.ended_at IS NULL
         LEFT JOIN identity.user_mfa f ON f.user_id = u.id
        WHERE u.email = $2`,
      [organizationId, normalizeEmail(email), MfaRequirement.NONE],
    )) as {
      user_id: string;
      status: MemberStatus | null;
      locked_until: Date | null;
      mfa_enabled: boolean;
      mfa_requirement: MfaRequirement;
    }[];
    return row
      ? {
          userId: row.user_id,
          memberStatus: row.status,
          lockedUntil: row.locked_until,
          mfaEnabled: row.mfa_enabled,
          mfaRequirement: row.mfa_requirement,
        }
      : undefined;
  }

  /** The signed-in user. */
  async getMe(principal: Principal, loaders: Pick<IdentityLoaders, 'userById'>): Promise<User> {
    const user = await loaders.userById.load(principal.userId);
    if (!user) throw new NotFoundError('User', principal.userId);
    return user;
  }

  /**
   * The user, if the caller may see them: themselves, or a member of the caller's
   * organization. Anyone else does not exist as far as the caller can tell (null).
   */
  async getVisible(
    principal: Principal,
    id: string,
    loaders: Pick<IdentityLoaders, 'userById' | 'membershipsByUserId'>,
  ): Promise<User | null> {
    if (id !== principal.userId) {
      const memberships = await loaders.membershipsByUserId.load(id);
      if (!memberships.some((membership) => membership.organizationId === principal.organizationId)) return null;
    }
    return loaders.userById.load(id);
  }

  /** The user with this email, created if there is none yet (an accepted invitation, SSO provisioning). */
  async ensureByEmail(
    { email, name, id = newId('user') }: { email: string; name: string | null; id?: string },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<User> {
    const normalized = normalizeEmail(email);
    await manager.createQueryBuilder().insert().into(User).values({ id, email: normalized, name }).orIgnore().execute();
    const user = await this.findByEmail(normalized, manager);
    // Inserted or already there, unless removed in between.
    if (!user) throw new NotFoundError('User', normalized, 'email');
    return user;
  }

  /** Changes the caller's own profile. */
  async updateProfile(principal: Principal, changes: { name?: string | null }): Promise<User> {
    const user = await this.users.findOneBy({ id: principal.userId });
    if (!user) throw new NotFoundError('User', principal.userId);
    if (changes.name !== undefined) user.name = changes.name?.trim() || null;
    return this.users.save(user);
  }
}

import { selectByIds } from '../../../platform/select-by-ids';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { NotFoundError } from '../../../platform/errors';
import { newId } from '../../../platform/ids';
import { User } from '../entities/user.entity';
import type { IdentityLoaders } from '../loaders';

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

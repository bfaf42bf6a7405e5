import { In } from 'typeorm';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import { newId } from '../../../platform/ids';
import { User } from '../entities/user.entity';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class UserService {
  private readonly users: Repository<User>;

  constructor(private readonly dataSource: DataSource) {
    this.users = dataSource.getRepository(User);
  }

  async findByIds(ids: readonly string[]): Promise<User[]> {
    return ids.length === 0 ? [] : this.users.findBy({ id: In([...ids]) });
  }

  async findById(id: string): Promise<User | null> {
    return this.users.findOneBy({ id });
  }

  async findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email: normalizeEmail(email) });
  }

  /** The user with this email, created if there is none yet (invitation, SSO provisioning). */
  async ensureByEmail(
    { email, name, id = newId('user') }: { email: string; name: string | null; id?: string },
    manager: EntityManager = this.dataSource.manager,
  ): Promise<User> {
    const normalized = normalizeEmail(email);
    await manager.createQueryBuilder().insert().into(User).values({ id, email: normalized, name }).orIgnore().execute();
    return manager.getRepository(User).findOneByOrFail({ email: normalized });
  }

  async updateProfile(id: string, changes: { name?: string | null }): Promise<User> {
    const user = await this.users.findOneByOrFail({ id });
    if (changes.name !== undefined) user.name = changes.name;
    return this.users.save(user);
  }
}

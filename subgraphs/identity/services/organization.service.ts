import { randomBytes } from 'node:crypto';
import { selectByIds } from '../../../platform/select-by-ids';
import type { DataSource, Repository } from 'typeorm';
import { ConflictError, NotFoundError } from '../../../platform/errors';
import type { Principal } from '../../../platform/auth/principal';
import { assertOwnOrganization } from '../../../platform/context';
import { newId, parseId } from '../../../platform/ids';
import type { IdentityLoaders } from '../loaders';
import { ROLE_PROVISIONING_CONSUMER } from '../../../platform/outbox/event-catalogue';
import type { Outbox } from '../../../platform/outbox/outbox';
import { MemberStatus, OrganizationMember } from '../entities/organization-member.entity';
import { Organization } from '../entities/organization.entity';
import { isUniqueViolation } from './postgres-errors';

export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
export const SLUG_RULE = 'must be 1-63 lowercase letters, digits or hyphens, not starting or ending with a hyphen';

/** "Acme Corp." → "acme-corp" */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/g, '');
  return slug === '' ? 'org' : slug;
}

export interface CreateOrganization {
  name: string;
  /** Derived from the name when absent; then a suffix is added if the derived slug is taken. */
  slug?: string;
}

export class OrganizationService {
  private readonly organizations: Repository<Organization>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {
    this.organizations = dataSource.getRepository(Organization);
    this.findByIds = selectByIds(dataSource, Organization);
  }

  /** Behind the `organizationById` loader: plain SQL, as every request makes it. */
  readonly findByIds: (ids: readonly string[]) => Promise<Organization[]>;

  async get(id: string): Promise<Organization> {
    const organization = await this.organizations.findOneBy({ id });
    if (!organization) throw new NotFoundError('Organization', id, 'id');
    return organization;
  }

  /**
   * The organization `id` names, which must be the caller's: a malformed id is BAD_USER_INPUT,
   * an unknown one NOT_FOUND, another organization's FORBIDDEN. `field` names the argument.
   */
  async getForPrincipal(
    principal: Principal,
    id: string,
    field: string,
    loaders: Pick<IdentityLoaders, 'organizationById'>,
  ): Promise<Organization> {
    const organization = await loaders.organizationById.load(parseId('organization', id, field));
    if (!organization) throw new NotFoundError('Organization', id, field);
    assertOwnOrganization(principal, id, field);
    return organization;
  }

  /** `Organization` by key, for other subgraphs: only the caller's own organization resolves. */
  async getReference(principal: Principal, id: string, loaders: Pick<IdentityLoaders, 'organizationById'>): Promise<Organization | null> {
    assertOwnOrganization(principal, id, 'id');
    return loaders.organizationById.load(id);
  }

  /** Organizations where the user has an active membership. */
  async listForUser(userId: string): Promise<Organization[]> {
    return this.organizations
      .createQueryBuilder('organization')
      .innerJoin(OrganizationMember, 'member', 'member.organization_id = organization.id')
      .where('member.user_id = :userId AND member.status = :status', { userId, status: MemberStatus.ACTIVE })
      .orderBy('organization.id')
      .getMany();
  }

  /**
   * Creates the organization with its creator as first member, in one transaction with the
   * fact, from which authz makes the creator owner. Answers once authz has (read-your-writes,
   * bounded: when authz is slow or down, the answer comes without waiting further and the
   * role follows when authz applies the fact).
   */
  async create(input: CreateOrganization, creatorUserId: string, id: string = newId('organization')): Promise<Organization> {
    const name = input.name.trim();
    const explicitSlug = input.slug !== undefined;
    let slug = input.slug ?? slugify(name);
    for (let attempt = 0; ; attempt++) {
      try {
        const { organization, eventId } = await this.dataSource.transaction(async (manager) => {
          const organization = await manager.save(manager.create(Organization, { id, name, slug }));
          const creator = await manager.save(
            manager.create(OrganizationMember, {
              id: newId('member'),
              organizationId: id,
              userId: creatorUserId,
              status: MemberStatus.ACTIVE,
            }),
          );
          const eventId = await this.outbox.add(manager, {
            type: 'identity.organization.created',
            payload: { organizationId: id, name, creatorUserId, creatorMembershipId: creator.id },
          });
          return { organization, eventId };
        });
        await this.outbox.appliedBy([ROLE_PROVISIONING_CONSUMER], eventId);
        return organization;
      } catch (error) {
        if (!isUniqueViolation(error, 'slug')) throw error;
        if (explicitSlug || attempt >= 3) throw new ConflictError(`slug: "${slug}" is already taken`, 'slug');
        slug = `${slugify(name).slice(0, 50)}-${randomBytes(3).toString('hex')}`;
      }
    }
  }

  async update(
    principal: Principal,
    id: string,
    changes: { name?: string | null; slug?: string | null },
    loaders: Pick<IdentityLoaders, 'organizationById'>,
  ): Promise<Organization> {
    const organization = await this.getForPrincipal(principal, id, 'id', loaders);
    const renamed = changes.name != null && changes.name.trim() !== organization.name;
    if (changes.name != null) organization.name = changes.name.trim();
    if (changes.slug != null) organization.slug = changes.slug;
    try {
      return await this.dataSource.transaction(async (manager) => {
        const saved = await manager.getRepository(Organization).save(organization);
        if (renamed) {
          await this.outbox.add(manager, {
            type: 'identity.organization.renamed',
            payload: { organizationId: saved.id, name: saved.name, userId: principal.userId },
          });
        }
        return saved;
      });
    } catch (error) {
      if (isUniqueViolation(error, 'slug')) throw new ConflictError(`slug: "${changes.slug}" is already taken`, 'slug');
      throw error;
    }
  }
}

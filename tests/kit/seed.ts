import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { Config } from '../../subgraphs/kernel/config';
import type { OrganizationMember } from '../../subgraphs/identity/entities/organization-member.entity';
import type { Organization } from '../../subgraphs/identity/entities/organization.entity';
import type { User } from '../../subgraphs/identity/entities/user.entity';
import { createIdentityServices } from '../../subgraphs/identity/services';
import type { IdentityServices } from '../../subgraphs/identity/services';

export interface SeededMember {
  user: User;
  membership: OrganizationMember;
  token: string;
}

export interface SeededOrganization {
  organization: Organization;
  owner: SeededMember;
  members: SeededMember[];
}

interface MemberSpec {
  email?: string;
  name?: string;
}

/**
 * Builders with unique names, so test files and tests never share rows:
 *   await seed.org().withMember().withMember({ name: 'Ann' }).create()
 */
export class Seed {
  readonly identity: IdentityServices;

  constructor(config: Config, identityDataSource: DataSource) {
    this.identity = createIdentityServices({ config, dataSource: identityDataSource });
  }

  org(options: { name?: string } = {}): OrganizationBuilder {
    return new OrganizationBuilder(this, options.name ?? `Org ${unique()}`);
  }

  async tokenFor(userId: string, organizationId: string, ttlSeconds?: number): Promise<string> {
    return (await this.identity.sessionTokens.issueSessionToken(userId, organizationId, ttlSeconds)).token;
  }
}

export class OrganizationBuilder {
  private readonly memberSpecs: MemberSpec[] = [];

  constructor(
    private readonly seed: Seed,
    private readonly name: string,
  ) {}

  withMember(spec: MemberSpec = {}): this {
    this.memberSpecs.push(spec);
    return this;
  }

  async create(): Promise<SeededOrganization> {
    const { identity } = this.seed;
    const ownerUser = await identity.users.ensureByEmail({ email: uniqueEmail('owner'), name: 'Owner' });
    const organization = await identity.organizations.create({ name: this.name }, ownerUser.id);
    const [ownerMembership] = await identity.members.listByOrganizations([organization.id]);
    const member = async (user: User, membership: OrganizationMember): Promise<SeededMember> => ({
      user,
      membership,
      token: await this.seed.tokenFor(user.id, organization.id),
    });
    const owner = await member(ownerUser, ownerMembership!);
    const members: SeededMember[] = [];
    for (const spec of this.memberSpecs) {
      const membership = await identity.members.add({
        organizationId: organization.id,
        email: spec.email ?? uniqueEmail('member'),
        name: spec.name ?? null,
      });
      members.push(await member((await identity.users.findById(membership.userId))!, membership));
    }
    return { organization, owner, members };
  }
}

export function unique(): string {
  return randomBytes(4).toString('hex');
}

export function uniqueEmail(role: string): string {
  return `${role}-${unique()}@example.test`;
}

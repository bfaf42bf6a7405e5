import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { authzSubgraph } from '../../subgraphs/authz';
import { createAuthzServices } from '../../subgraphs/authz/services';
import type { AuthzServices } from '../../subgraphs/authz/services';
import { createAccessControl } from '../../platform/authorization/access-control';
import type { AccessControl } from '../../platform/authorization/access-control';
import { createDataSource } from '../../platform/database';
import type { EventBus } from '../../platform/events';
import type { SubgraphStorage } from '../../platform/database';
import { createLogger } from '../../platform/logger';
import { createMessaging } from '../../platform/outbox/messaging';
import type { Messaging } from '../../platform/outbox/messaging';
import { membershipRolesConsumer } from '../../subgraphs/authz/consumers/membership-roles.consumer';
import { identitySubgraph } from '../../subgraphs/identity';
import { MEMBER_ROLE_ID } from '../../platform/authorization/system-roles';
import type { Config } from '../../platform/config';
import type { Principal } from '../../platform/auth/principal';
import type { Invitation } from '../../subgraphs/identity/entities/invitation.entity';
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
  /** A system or custom role id; default `role_member`. */
  role?: string;
}

/**
 * Builders with unique names, so test files and tests never share rows:
 *   await seed.org().withMember().withMember({ name: 'Ann' }).create()
 * Organizations and members are made through identity's services as in production: authz
 * gives the roles from their events, and each change waits until it has (`messaging`).
 */
export class Seed {
  readonly identity: IdentityServices;
  readonly authz: AuthzServices;

  constructor(
    config: Config,
    private readonly dataSources: { identity: DataSource; authz: DataSource },
    readonly access: AccessControl,
    messaging: Messaging,
    events?: EventBus,
  ) {
    this.authz = createAuthzServices({ dataSource: dataSources.authz, access, messaging });
    this.identity = createIdentityServices({ config, dataSource: dataSources.identity, access, events, messaging });
  }

  /** Gives the user exactly `roleId` in the organization (their other roles go). */
  async setRole(organizationId: string, userId: string, roleId: string): Promise<void> {
    await this.authz.assignments.grant(organizationId, { userId, roleId });
    const others = (await this.authz.assignments.listForUser(organizationId, userId)).filter((other) => other.roleId !== roleId);
    // Through the assignment service, so each role that goes is a fact like any other.
    await this.dataSources.authz.transaction(async (manager) => {
      for (const other of others) {
        await this.authz.assignments.unassignWithin(manager, organizationId, userId, other.roleId, {
          unassignedById: null,
          reason: 'revoked',
        });
      }
    });
    await this.access.authorizer.policyChanged();
  }

  org(options: { name?: string } = {}): OrganizationBuilder {
    return new OrganizationBuilder(this, options.name ?? `Org ${unique()}`);
  }

  /** An invitation from `inviterId` (who must be allowed to give `roleId`), with its secret token. */
  async invite(organizationId: string, inviterId: string, options: { email?: string; roleId?: string } = {}): Promise<Invitation> {
    const inviter: Principal = {
      userId: inviterId,
      organizationId,
      sessionId: `seed-${unique()}`,
      expiresAt: new Date(Date.now() + 3_600_000),
    };
    return this.identity.invitations.invite(inviter, {
      organizationId,
      email: options.email ?? uniqueEmail('invited'),
      roleId: options.roleId,
    });
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
      // Straight to membership, as an accepted invitation ends.
      const membership = await identity.members.add({
        organizationId: organization.id,
        email: spec.email ?? uniqueEmail('member'),
        name: spec.name ?? null,
        roleId: spec.role ?? MEMBER_ROLE_ID,
      });
      members.push(await member((await identity.users.findById(membership.userId))!, membership));
    }
    return { organization, owner, members };
  }
}

/** The caller a session token for this user and organization stands for, for calling services directly. */
export function principalFor(userId: string, organizationId: string): Principal {
  return { userId, organizationId, sessionId: `seed-${unique()}`, expiresAt: new Date(Date.now() + 3_600_000) };
}

export function unique(): string {
  return randomBytes(4).toString('hex');
}

export function uniqueEmail(role: string): string {
  return `${role}-${unique()}@example.test`;
}

/**
 * A Seed over its own connections to `databaseUrl`, for tests that run no supergraph: it
 * runs identity's outbox relay and authz's consumer itself, in this process.
 */
export async function openSeed(config: Config, databaseUrl: string): Promise<{ seed: Seed; close(): Promise<void> }> {
  const open = async (storage: SubgraphStorage) => {
    const dataSource = createDataSource(storage, { url: databaseUrl, poolMax: 2, applicationName: 'test-seed' });
    return dataSource.initialize();
  };
  const dataSources = { identity: await open(identitySubgraph.storage), authz: await open(authzSubgraph.storage) };
  const logger = createLogger('silent');
  const access = await createAccessControl({ ...config, redisUrl: undefined }, dataSources.authz, logger);
  const messaging = createMessaging({ ...config, redisUrl: undefined }, logger);
  const seed = new Seed(config, dataSources, access, messaging);
  messaging.registerRelay('identity', dataSources.identity);
  messaging.registerConsumer(membershipRolesConsumer(seed.authz), dataSources.authz);
  await messaging.start();
  return {
    seed,
    close: async () => {
      await messaging.close();
      await access.close();
      await Promise.all([dataSources.identity.destroy(), dataSources.authz.destroy()]);
    },
  };
}

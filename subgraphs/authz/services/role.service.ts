import type { DataSource, EntityManager } from 'typeorm';
import type { Authorizer } from '../../../platform/authorization/authorizer';
import { formatPermission, parsePermission } from '../../../platform/authorization/permissions';
import type { Permission } from '../../../platform/authorization/permissions';
import { SYSTEM_ROLES, systemRole } from '../../../platform/authorization/system-roles';
import { ConflictError, ForbiddenError, NotFoundError } from '../../../platform/errors';
import { newId, parseId } from '../../../platform/ids';
import type { Outbox } from '../../../platform/outbox/outbox';
import { CasbinRule } from '../entities/casbin-rule.entity';
import { Role } from '../entities/role.entity';
import type { PolicyWriter } from './policy-writer';

/** A role as clients see it: a system role (all organizations) or one of the organization's own. */
export interface RoleView {
  id: string;
  name: string;
  description: string | null;
  system: boolean;
  /** `resource:action`, sorted; wildcards as granted. */
  permissions: string[];
  createdAt: Date | null;
}

export interface RoleInput {
  name?: string | null;
  description?: string | null;
  permissions?: string[] | null;
}

/** Limits on what a custom role holds; the input types check them. */
export const MAX_ROLE_NAME = 100;
export const MAX_ROLE_DESCRIPTION = 1000;
export const MAX_ROLE_PERMISSIONS = 100;

export class RoleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly authorizer: Authorizer,
    private readonly writer: PolicyWriter,
    private readonly outbox: Outbox,
  ) {}

  /** The five system roles, then the organization's own by name. */
  async list(organizationId: string): Promise<RoleView[]> {
    const policy = await this.authorizer.policyFor(organizationId);
    const custom = await this.dataSource.getRepository(Role).find({ where: { organizationId }, order: { name: 'ASC' } });
    const permissionsOf = (roleId: string) => policy.permissionsOfRole(roleId).map(formatPermission).sort();
    return [
      ...SYSTEM_ROLES.map((role) => ({ ...role, system: true, permissions: permissionsOf(role.id), createdAt: null })),
      ...custom.map((role) => customView(role, permissionsOf(role.id))),
    ];
  }

  /** A role of the organization (a system role or its own); a malformed id is BAD_USER_INPUT, an unknown one NOT_FOUND. */
  async get(organizationId: string, id: string, field = 'id'): Promise<RoleView> {
    parseId('role', id, field);
    const role = (await this.list(organizationId)).find((candidate) => candidate.id === id);
    if (!role) throw new NotFoundError('Role', id, field);
    return role;
  }

  /**
   * A custom role. Its permissions must be catalogued and within the caller's own, so no
   * one can make a role stronger than themselves and take it. Creating, changing and deleting
   * one are facts (`authz.role.created`, `.updated`, `.deleted`), written with the change.
   */
  async create(organizationId: string, callerId: string, input: { name: string; description?: string | null; permissions: string[] }) {
    const name = input.name.trim();
    const permissions = await this.grantablePermissions(organizationId, callerId, input.permissions);
    const id = newId('role');
    await this.writer.change(organizationId, async (manager) => {
      await assertNameFree(manager, organizationId, name);
      await manager.insert(Role, { id, organizationId, name, description: input.description?.trim() || null });
      await insertPermissions(manager, id, organizationId, permissions);
      await this.outbox.add(manager, {
        type: 'authz.role.created',
        payload: { organizationId, roleId: id, name, permissions: permissions.map(formatPermission).sort(), actorId: callerId },
      });
    });
    return this.get(organizationId, id);
  }

  async update(organizationId: string, callerId: string, id: string, input: RoleInput): Promise<RoleView> {
    const before = await this.customRole(organizationId, id);
    const beforePermissions = (await this.get(organizationId, id)).permissions;
    await this.assertCallerHoldsRole(organizationId, callerId, id, 'id');
    const name = input.name == null ? undefined : input.name.trim();
    const permissions =
      input.permissions == null ? undefined : await this.grantablePermissions(organizationId, callerId, input.permissions);
    await this.writer.change(organizationId, async (manager) => {
      if (name !== undefined) {
        await assertNameFree(manager, organizationId, name, id);
        await manager.update(Role, { id }, { name });
      }
      if (input.description !== undefined) await manager.update(Role, { id }, { description: input.description?.trim() || null });
      if (permissions !== undefined) {
        await manager.delete(CasbinRule, { ptype: 'p', v0: id, v1: organizationId });
        await insertPermissions(manager, id, organizationId, permissions);
      }
      if (name === undefined && input.description === undefined && permissions === undefined) {
        await manager.update(Role, { id }, { updatedAt: new Date() });
      }
      await this.outbox.add(manager, {
        type: 'authz.role.updated',
        payload: {
          organizationId,
          roleId: id,
          name: name ?? before.name,
          permissions: permissions === undefined ? beforePermissions : permissions.map(formatPermission).sort(),
          actorId: callerId,
          previous: { name: before.name, permissions: beforePermissions },
        },
      });
    });
    return this.get(organizationId, id);
  }

  /** Deletes a custom role with its permissions and every assignment of it (a fact for each); returns it as it was. */
  async delete(organizationId: string, callerId: string, id: string): Promise<RoleView> {
    const role = await this.get(organizationId, id);
    await this.customRole(organizationId, id);
    await this.assertCallerHoldsRole(organizationId, callerId, id, 'id');
    await this.writer.change(organizationId, async (manager) => {
      await manager.delete(CasbinRule, { ptype: 'p', v0: id, v1: organizationId });
      const holders = (await manager.query(
        `WITH removed AS (DELETE FROM authz.casbin_rule WHERE ptype = 'g' AND v1 = $1 AND v2 = $2 RETURNING v0)
         SELECT v0 AS "userId" FROM removed ORDER BY v0`,
        [id, organizationId],
      )) as { userId: string }[];
      await manager.delete(Role, { id, organizationId });
      await this.outbox.addMany(manager, [
        ...holders.map(({ userId }) => ({
          type: 'authz.role.unassigned' as const,
          payload: { organizationId, userId, roleId: id, unassignedById: callerId, reason: 'role_deleted' as const },
        })),
        {
          type: 'authz.role.deleted' as const,
          payload: { organizationId, roleId: id, name: role.name, permissions: role.permissions, actorId: callerId },
        },
      ]);
    });
    return role;
  }

  /** Refuses to hand out, change or take away a role that grants more than the caller holds. */
  async assertCallerHoldsRole(organizationId: string, callerId: string, roleId: string, field: string): Promise<void> {
    const policy = await this.authorizer.policyFor(organizationId);
    const missing = policy.missing(callerId, policy.permissionsOfRole(roleId), this.authorizer.now()).map(formatPermission);
    if (missing.length > 0) {
      throw new ForbiddenError(`${field}: role "${roleId}" grants ${missing.join(', ')}, which you do not hold yourself`, { field });
    }
  }

  private async customRole(organizationId: string, id: string): Promise<Role> {
    parseId('role', id, 'id');
    if (systemRole(id)) throw new ConflictError(`id: "${id}" is a system role; system roles cannot be changed or deleted`, 'id');
    const role = await this.dataSource.getRepository(Role).findOneBy({ id, organizationId });
    if (!role) throw new NotFoundError('Role', id, 'id');
    return role;
  }

  private async grantablePermissions(organizationId: string, callerId: string, values: string[]): Promise<Permission[]> {
    const parsed = values.map((value, index) => parsePermission(value, `input.permissions[${index}]`));
    const unique = [...new Map(parsed.map((permission) => [formatPermission(permission), permission])).values()];
    const policy = await this.authorizer.policyFor(organizationId);
    const missing = policy.missing(callerId, unique, this.authorizer.now()).map(formatPermission);
    if (missing.length > 0) {
      throw new ForbiddenError(`input.permissions: you cannot grant ${missing.join(', ')}, which you do not hold yourself`, {
        field: 'input.permissions',
      });
    }
    return unique;
  }
}

function customView(role: Role, permissions: string[]): RoleView {
  return { id: role.id, name: role.name, description: role.description, system: false, permissions, createdAt: role.createdAt };
}

async function assertNameFree(manager: EntityManager, organizationId: string, name: string, exceptId?: string): Promise<void> {
  const reserved = SYSTEM_ROLES.some((role) => role.name.toLowerCase() === name.toLowerCase());
  const taken = await manager
    .getRepository(Role)
    .createQueryBuilder('role')
    .where('role.organization_id = :organizationId AND lower(role.name) = lower(:name)', { organizationId, name })
    .andWhere(exceptId ? 'role.id <> :exceptId' : 'TRUE', { exceptId })
    .getExists();
  if (reserved || taken) throw new ConflictError(`input.name: a role named "${name}" already exists`, 'input.name');
}

async function insertPermissions(manager: EntityManager, roleId: string, organizationId: string, permissions: Permission[]): Promise<void> {
  await manager.insert(
    CasbinRule,
    permissions.map(({ resource, action }) => ({ ptype: 'p', v0: roleId, v1: organizationId, v2: resource, v3: action })),
  );
}

import type { DataSource, EntityManager } from 'typeorm';
import type { Authorizer } from '../../../platform/authorization/authorizer';
import type { OrganizationPolicy } from '../../../platform/authorization/organization-policy';
import { formatPermission, parsePermission } from '../../../platform/authorization/permissions';
import type { Permission } from '../../../platform/authorization/permissions';
import { SYSTEM_ROLES, systemRole } from '../../../platform/authorization/system-roles';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../../platform/errors';
import { newId } from '../../../platform/ids';
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
  name?: string;
  description?: string | null;
  permissions?: string[];
}

const MAX_PERMISSIONS = 100;

export class RoleService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly authorizer: Authorizer,
    private readonly writer: PolicyWriter,
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

  async get(organizationId: string, id: string, field = 'id'): Promise<RoleView> {
    const role = (await this.list(organizationId)).find((candidate) => candidate.id === id);
    if (!role) throw new NotFoundError('Role', id, field);
    return role;
  }

  /**
   * A custom role. Its permissions must be catalogued and within the caller's own, so no
   * one can make a role stronger than themselves and take it.
   */
  async create(organizationId: string, callerId: string, input: Required<Pick<RoleInput, 'name' | 'permissions'>> & RoleInput) {
    const name = validName(input.name);
    const permissions = await this.grantablePermissions(organizationId, callerId, input.permissions);
    const id = newId('role');
    await this.writer.change(organizationId, async (manager) => {
      await assertNameFree(manager, organizationId, name);
      await manager.insert(Role, { id, organizationId, name, description: input.description?.trim() || null });
      await insertPermissions(manager, id, organizationId, permissions);
    });
    return this.get(organizationId, id);
  }

  async update(organizationId: string, callerId: string, id: string, input: RoleInput): Promise<RoleView> {
    await this.customRole(organizationId, id);
    await this.assertCallerHoldsRole(organizationId, callerId, id, 'id');
    const name = input.name === undefined ? undefined : validName(input.name);
    const permissions =
      input.permissions === undefined ? undefined : await this.grantablePermissions(organizationId, callerId, input.permissions);
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
    });
    return this.get(organizationId, id);
  }

  /** Deletes a custom role with its permissions and every assignment of it; returns it as it was. */
  async delete(organizationId: string, callerId: string, id: string): Promise<RoleView> {
    const role = await this.get(organizationId, id);
    await this.customRole(organizationId, id);
    await this.assertCallerHoldsRole(organizationId, callerId, id, 'id');
    await this.writer.change(organizationId, async (manager) => {
      await manager.delete(CasbinRule, { ptype: 'p', v0: id, v1: organizationId });
      await manager.delete(CasbinRule, { ptype: 'g', v1: id, v2: organizationId });
      await manager.delete(Role, { id, organizationId });
    });
    return role;
  }

  /** Refuses to hand out, change or take away a role that grants more than the caller holds. */
  async assertCallerHoldsRole(organizationId: string, callerId: string, roleId: string, field: string): Promise<void> {
    const policy = await this.authorizer.policyFor(organizationId);
    const missing = beyondCaller(policy, callerId, policy.permissionsOfRole(roleId), this.authorizer.now());
    if (missing.length > 0) {
      throw new ForbiddenError(`${field}: role "${roleId}" grants ${missing.join(', ')}, which you do not hold yourself`, { field });
    }
  }

  private async customRole(organizationId: string, id: string): Promise<Role> {
    if (systemRole(id)) throw new ConflictError(`id: "${id}" is a system role; system roles cannot be changed or deleted`, 'id');
    const role = await this.dataSource.getRepository(Role).findOneBy({ id, organizationId });
    if (!role) throw new NotFoundError('Role', id, 'id');
    return role;
  }

  private async grantablePermissions(organizationId: string, callerId: string, values: string[]): Promise<Permission[]> {
    if (values.length === 0) throw new BadUserInputError('input.permissions: a role needs at least one permission', 'input.permissions');
    if (values.length > MAX_PERMISSIONS) {
      throw new BadUserInputError(`input.permissions: at most ${MAX_PERMISSIONS} permissions`, 'input.permissions');
    }
    const parsed = values.map((value, index) => parsePermission(value, `input.permissions[${index}]`));
    const unique = [...new Map(parsed.map((permission) => [formatPermission(permission), permission])).values()];
    const policy = await this.authorizer.policyFor(organizationId);
    const missing = beyondCaller(policy, callerId, unique, this.authorizer.now());
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

function validName(value: string): string {
  const name = value.trim();
  if (name.length === 0 || name.length > 100) throw new BadUserInputError('input.name: 1 to 100 characters', 'input.name');
  return name;
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

/**
 * The permissions in `wanted` the caller does not hold, as `resource:action`. `allows` with a
 * wildcard in the question asks for a grant at least as wide (`billing:*` needs `billing:*` or `*:*`).
 */
function beyondCaller(policy: OrganizationPolicy, callerId: string, wanted: readonly Permission[], now: number): string[] {
  return wanted.filter(({ resource, action }) => !policy.allows(callerId, resource, action, now)).map(formatPermission);
}

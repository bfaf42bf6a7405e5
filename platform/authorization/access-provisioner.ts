/**
 * How identity keeps authz in step with memberships: the creator of an organization
 * becomes its owner, a new member gets the role of their invitation, and someone who leaves loses
 * every role. Identity calls it inside its own transaction, before it commits, so a
 * membership never exists without its role (a failed call rolls the membership back).
 */
export interface AccessProvisioner {
  grant(organizationId: string, userId: string, roleId: string): Promise<void>;
  revokeAll(organizationId: string, userId: string): Promise<void>;
}

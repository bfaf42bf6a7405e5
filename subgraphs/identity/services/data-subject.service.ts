import type { DataSource, EntityManager } from 'typeorm';
import { ConflictError } from '../../../platform/errors';
import { exportSections, sqlSection } from '../../../platform/personal-data/data-subject';
import type {
  DataSubject,
  DataSubjectContract,
  DataSubjectErasure,
  DataSubjectPage,
  DataSubjectSection,
} from '../../../platform/personal-data/data-subject';
import type { PersonalDataCategory } from '../../../platform/personal-data/personal-data-directive';
import type { Outbox } from '../../../platform/outbox/outbox';
import { eraseMutationFacts } from '../../../platform/outbox/outbox-erasure';

/** Who ends sessions and revokes keys in an erasure, as the audit log names them. */
const ERASER = 'service:compliance';

/** The address an erased account keeps: unique, and reaching nobody (RFC 2606's `.invalid`). */
export function erasedEmail(userId: string): string {
  return `erased+${userId.toLowerCase()}@erased.invalid`;
}

/**
 * Identity's part of a data-subject request: the person's account (email, name), their
 * membership of the organization, their sessions in it (address, user agent), the API keys
 * they created in it and the invitations sent to their address.
 *
 * Erasure: sessions and API keys end (their facts go out, so tokens stop working) and are
 * deleted, invitations deleted, a sign-in lock-out in the organization deleted, the membership
 * removed (the usual fact: authz drops the roles); the account itself is anonymised (address
 * and name) and its second factor (secret and recovery codes) deleted once no other
 * organization has the person as a member, since the account is also theirs.
 */
export class IdentityDataSubjectService implements DataSubjectContract {
  private readonly sections: DataSubjectSection[];

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {
    const query = (sql: string, parameters: unknown[]) => this.dataSource.query(sql, parameters);
    // Keyset pages in id order: each starts after the last record's id (`$3`).
    const section = (kind: string, sql: string): DataSubjectSection => sqlSection(kind, query, sql);
    this.sections = [
      section(
        'user',
        `SELECT u.id, u.id AS key, u.email, u.name, u.created_at AS "createdAt" FROM identity.users u
          WHERE u.id = $2 AND u.id > COALESCE($3, '') AND EXISTS (SELECT 1 FROM identity.organization_members m WHERE m.organization_id = $1 AND m.user_id = u.id)`,
      ),
      section(
        'membership',
        `SELECT id, id AS key, status, created_at AS "createdAt" FROM identity.organization_members
          WHERE organization_id = $1 AND user_id = $2 AND id > COALESCE($3, '') ORDER BY id`,
      ),
      section(
        'session',
        `SELECT id, id AS key, ip, user_agent AS "userAgent", created_at AS "createdAt", last_used_at AS "lastUsedAt",
                expires_at AS "expiresAt", revoked_at AS "revokedAt", revoked_reason AS "revokedReason"
           FROM identity.sessions WHERE organization_id = $1 AND user_id = $2 AND id > COALESCE($3, '') ORDER BY id`,
      ),
      section(
        'api_key',
        `SELECT id, id AS key, name, prefix, permissions, created_at AS "createdAt", expires_at AS "expiresAt",
                last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"
           FROM identity.api_keys WHERE organization_id = $1 AND created_by_id = $2 AND id > COALESCE($3, '') ORDER BY id`,
      ),
      section(
        'invitation',
        `SELECT i.id, i.id AS key, i.email, i.status, i.role_id AS "roleId", i.created_at AS "createdAt", i.expires_at AS "expiresAt"
           FROM identity.invitations i JOIN identity.users u ON lower(u.email) = lower(i.email)
          WHERE i.organization_id = $1 AND u.id = $2 AND i.id > COALESCE($3, '') ORDER BY i.id`,
      ),
    ];
  }

  export(subject: DataSubject, after: string | null, first: number): Promise<DataSubjectPage> {
    return exportSections(this.sections, subject, after, first);
  }

  async erase(subject: DataSubject, categories: readonly PersonalDataCategory[]): Promise<DataSubjectErasure[]> {
    const account = categories.includes('identity') || categories.includes('contact');
    const network = account || categories.includes('network');
    if (!network) return [];
    return this.dataSource.transaction(async (manager) => {
      const done: DataSubjectErasure[] = [await this.endSessions(manager, subject)];
      if (account) done.push(...(await this.eraseAccount(manager, subject)));
      done.push(await eraseMutationFacts(manager, subject));
      return done;
    });
  }

  private async endSessions(manager: EntityManager, { organizationId, userId }: DataSubject): Promise<DataSubjectErasure> {
    const sessions = (await manager.query(
      'DELETE FROM identity.sessions WHERE organization_id = $1 AND user_id = $2 RETURNING id, revoked_at',
      [organizationId, userId],
    )) as [{ id: string; revoked_at: Date | null }[], number];
    const rows = sessions[0];
    await this.outbox.addMany(
      manager,
      rows
        .filter((row) => row.revoked_at === null)
        .map((row) => ({
          type: 'identity.session.revoked' as const,
          payload: { organizationId, userId, sessionId: row.id, reason: 'by_admin' as const, revokedById: ERASER },
        })),
    );
    return { kind: 'session', erased: rows.length, anonymised: 0, kept: 0 };
  }

  private async eraseAccount(manager: EntityManager, { organizationId, userId }: DataSubject): Promise<DataSubjectErasure[]> {
    const [keys] = (await manager.query(
      'DELETE FROM identity.api_keys WHERE organization_id = $1 AND created_by_id = $2 RETURNING id, revoked_at',
      [organizationId, userId],
    )) as [{ id: string; revoked_at: Date | null }[], number];
    await this.outbox.addMany(
      manager,
      keys
        .filter((key) => key.revoked_at === null)
        .map((key) => ({
          type: 'identity.api_key.revoked' as const,
          payload: { organizationId, userId: ERASER, apiKeyId: key.id, createdById: userId },
        })),
    );
    const [invitations] = (await manager.query(
      `DELETE FROM identity.invitations i USING identity.users u
        WHERE i.organization_id = $1 AND u.id = $2 AND lower(i.email) = lower(u.email) RETURNING i.id`,
      [organizationId, userId],
    )) as [unknown[], number];

    const [lockouts] = (await manager.query(
      'DELETE FROM identity.sign_in_lockouts WHERE organization_id = $1 AND user_id = $2 RETURNING user_id',
      [organizationId, userId],
    )) as [unknown[], number];

    // A SELECT answers its rows; a DELETE or UPDATE its rows and how many it changed.
    const [membership] = (await manager.query(
      'SELECT id, status FROM identity.organization_members WHERE organization_id = $1 AND user_id = $2 FOR UPDATE',
      [organizationId, userId],
    )) as ({ id: string; status: string } | undefined)[];
    if (membership) {
      // An organization always keeps one active member, or nobody could administer it.
      const [{ others }] = (await manager.query(
        `SELECT count(*)::int AS others FROM identity.organization_members WHERE organization_id = $1 AND user_id <> $2 AND status = 'active'`,
        [organizationId, userId],
      )) as [{ others: number }];
      if (others === 0) {
        throw new ConflictError('userId: the last active member of an organization cannot be erased from it', 'userId');
      }
      await manager.query('DELETE FROM identity.organization_members WHERE id = $1', [membership.id]);
      await this.outbox.add(manager, {
        type: 'identity.member.removed',
        payload: { organizationId, userId, membershipId: membership.id },
      });
    }

    const [{ elsewhere }] = (await manager.query(
      'SELECT count(*)::int AS elsewhere FROM identity.organization_members WHERE user_id = $1',
      [userId],
    )) as [{ elsewhere: number }];
    let account: DataSubjectErasure;
    let secondFactor: DataSubjectErasure;
    if (elsewhere > 0) {
      account = { kind: 'user', erased: 0, anonymised: 0, kept: 1, note: 'the account is also a member of other organizations' };
      secondFactor = { kind: 'mfa', erased: 0, anonymised: 0, kept: 1, note: 'the account is also a member of other organizations' };
    } else {
      const [codes] = (await manager.query('DELETE FROM identity.mfa_recovery_codes WHERE user_id = $1 RETURNING user_id', [userId])) as [
        unknown[],
        number,
      ];
      const [factors] = (await manager.query('DELETE FROM identity.user_mfa WHERE user_id = $1 RETURNING user_id', [userId])) as [
        unknown[],
        number,
      ];
      secondFactor = { kind: 'mfa', erased: factors.length + codes.length, anonymised: 0, kept: 0 };
      const [, changed] = (await manager.query(
        'UPDATE identity.users SET email = $2, name = NULL, updated_at = now() WHERE id = $1 AND email <> $2',
        [userId, erasedEmail(userId)],
      )) as [unknown, number];
      account = { kind: 'user', erased: 0, anonymised: changed, kept: 0 };
    }
    return [
      { kind: 'api_key', erased: keys.length, anonymised: 0, kept: 0 },
      { kind: 'invitation', erased: invitations.length, anonymised: 0, kept: 0 },
      { kind: 'sign_in_lockout', erased: lockouts.length, anonymised: 0, kept: 0 },
      { kind: 'membership', erased: membership ? 1 : 0, anonymised: 0, kept: 0 },
      account,
      secondFactor,
    ];
  }
}

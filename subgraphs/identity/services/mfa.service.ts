import { createHash, randomInt } from 'node:crypto';
import { Secret, TOTP } from 'otpauth';
import type { DataSource, EntityManager } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import type { Authorizer } from '../../../platform/authorization/authorizer';
import { ADMIN_ROLE_ID, OWNER_ROLE_ID } from '../../../platform/authorization/system-roles';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError } from '../../../platform/errors';
import type { MfaChange } from '../../../platform/outbox/event-catalogue';
import type { Outbox } from '../../../platform/outbox/outbox';
import type { SecretBox } from '../../../platform/secrets';
import { MfaRequirement } from '../types/mfa-requirement.type';

/** RFC 6238's defaults, which every authenticator app reads from the otpauth:// URI: SHA-1, 6 digits, 30 seconds. */
const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** A code of the step before or after now is accepted too: a phone's clock may be off by that much. */
const WINDOW = 1;
/** 160 bits, the HMAC-SHA-1 key length RFC 4226 §4 recommends. */
const SECRET_BYTES = 20;
export const RECOVERY_CODE_COUNT = 10;
/** Crockford's base32 without the letters read as others (I, L, O, U): 10 characters carry 50 bits. */
const RECOVERY_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** What a sign-in must do about a second factor: nothing, present a code, or enrol first. */
export type MfaSignInStep = 'none' | 'verify' | 'enroll';

export interface MfaStatusView {
  enabled: boolean;
  enabledAt: Date | null;
  /** Unused recovery codes. */
  recoveryCodesLeft: number;
}

export interface MfaEnrollmentView {
  /** The secret in base32, for typing into an app that cannot scan. */
  secret: string;
  /** `otpauth://totp/…`: what the QR code shows. */
  otpauthUri: string;
}

/** A code as a person presents it: the six digits of their app, or one of their recovery codes. */
export type MfaProof = { code: string; recoveryCode?: undefined } | { recoveryCode: string; code?: undefined };

interface MfaRow {
  user_id: string;
  secret_sealed: string;
  enabled_at: Date | null;
  last_used_step: string | null;
}

/**
 * Second factors: TOTP (RFC 6238, with otpauth) and single-use recovery codes. The secret is
 * sealed with the platform's AES-256-GCM before it is stored and shown only while enrolling;
 * an enrolment counts once its first code has been checked. A code is accepted once: the step
 * it belongs to is kept, and a code of the same or an earlier step is refused, so one seen over
 * a shoulder cannot be used again within its 30 seconds. Recovery codes are stored as SHA-256.
 * Each organization says who must have a second factor: nobody, its owners and admins, or everyone.
 */
export class MfaService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: SecretBox,
    private readonly outbox: Outbox,
    private readonly authorizer: Pick<Authorizer, 'currentPolicy' | 'now'>,
    /** The issuer authenticator apps show (`MFA_ISSUER`). */
    private readonly issuer: string,
    private readonly now: () => number = Date.now,
  ) {}

  async status(userId: string): Promise<MfaStatusView> {
    const row = await this.rowOf(userId);
    const [{ left }] = (await this.dataSource.query(
      'SELECT count(*)::int AS left FROM identity.mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL',
      [userId],
    )) as [{ left: number }];
    return { enabled: Boolean(row?.enabled_at), enabledAt: row?.enabled_at ?? null, recoveryCodesLeft: row?.enabled_at ? left : 0 };
  }

  /**
   * Starts an enrolment: a new secret, or the one of an enrolment already waiting for its first
   * code (scanning it again works). Someone whose second factor is on is refused (CONFLICT):
   * they disable it first.
   */
  async beginEnrollment(userId: string, accountName: string): Promise<MfaEnrollmentView> {
    const existing = await this.rowOf(userId);
    if (existing?.enabled_at) {
      throw new ConflictError('Your second factor is already set up: disable it first to set up another authenticator');
    }
    if (existing) return this.enrollmentView(this.secrets.open(existing.secret_sealed), accountName);
    const secret = new Secret({ size: SECRET_BYTES }).base32;
    await this.dataSource.query(
      'INSERT INTO identity.user_mfa (user_id, secret_sealed, created_at) VALUES ($1, $2, $3) ON CONFLICT (user_id) DO NOTHING',
      [userId, this.secrets.seal(secret), new Date(this.now())],
    );
    // Two enrolments started at once: both answer the one stored.
    const stored = await this.rowOf(userId);
    return this.enrollmentView(this.secrets.open(stored!.secret_sealed), accountName);
  }

  /** The caller's enrolment (`beginEnrollment`), labelled with their email address. */
  async beginEnrollmentFor(principal: Principal): Promise<MfaEnrollmentView> {
    assertPerson(principal);
    const [user] = (await this.dataSource.query('SELECT email FROM identity.users WHERE id = $1', [principal.userId])) as {
      email: string;
    }[];
    if (!user) throw new NotFoundError('User', principal.userId);
    return this.beginEnrollment(principal.userId, user.email);
  }

  /** The caller's confirmation (`confirmEnrollment`). */
  async confirmEnrollmentFor(principal: Principal, code: string): Promise<string[]> {
    assertPerson(principal);
    return this.confirmEnrollment(principal.userId, principal.organizationId, code);
  }

  /**
   * Completes an enrolment with the first code of the app: the second factor is on from now, and
   * the answer holds the ten recovery codes, shown this once. `organizationId` is where the fact goes.
   */
  async confirmEnrollment(userId: string, organizationId: string, code: string): Promise<string[]> {
    const codes = await this.tryConfirmEnrollment(userId, organizationId, code, 'mfaCode');
    if (!codes) {
      throw new BadUserInputError('mfaCode: is not the current code of your authenticator app (or was already used)', 'mfaCode');
    }
    return codes;
  }

  /** `confirmEnrollment`, answering null for a wrong code (a malformed one is BAD_USER_INPUT naming `field`). */
  async tryConfirmEnrollment(userId: string, organizationId: string, code: string, field: string): Promise<string[] | null> {
    const row = await this.rowOf(userId);
    if (!row) throw new NotFoundError('MfaEnrollment', userId);
    if (row.enabled_at) throw new ConflictError('Your second factor is already set up');
    if (!(await this.acceptTotp(row, code, field))) return null;
    return this.dataSource.transaction(async (manager) => {
      await manager.query('UPDATE identity.user_mfa SET enabled_at = $2 WHERE user_id = $1', [userId, new Date(this.now())]);
      const codes = await this.replaceRecoveryCodes(manager, userId);
      await this.changed(manager, organizationId, userId, 'enabled');
      return codes;
    });
  }

  /**
   * Whether the proof is good for this person's second factor (a TOTP code not used before, or
   * an unused recovery code, which is used up); which it was, or null.
   */
  async verify(userId: string, organizationId: string, proof: MfaProof, codeField = 'code'): Promise<'totp' | 'recovery_code' | null> {
    const row = await this.rowOf(userId);
    if (!row?.enabled_at) return null;
    if (proof.code !== undefined) return (await this.acceptTotp(row, proof.code, codeField)) ? 'totp' : null;
    const hash = hashRecoveryCode(proof.recoveryCode);
    if (!hash) return null;
    return this.dataSource.transaction(async (manager) => {
      const [used] = (await manager.query(
        'UPDATE identity.mfa_recovery_codes SET used_at = $3 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL RETURNING user_id',
        [userId, hash, new Date(this.now())],
      )) as [unknown[], number];
      if (used.length === 0) return null;
      await this.changed(manager, organizationId, userId, 'recovery_code_used');
      return 'recovery_code' as const;
    });
  }

  /** Ten new recovery codes for the caller (the old ones stop working), after a current code of their app. */
  async regenerateRecoveryCodes(principal: Principal, code: string): Promise<string[]> {
    assertPerson(principal);
    const row = await this.rowOf(principal.userId);
    if (!row?.enabled_at) throw new ConflictError('Your second factor is not set up: there are no recovery codes to replace');
    if (!(await this.acceptTotp(row, code, 'mfaCode'))) {
      throw new BadUserInputError('mfaCode: is not the current code of your authenticator app (or was already used)', 'mfaCode');
    }
    return this.dataSource.transaction(async (manager) => {
      const codes = await this.replaceRecoveryCodes(manager, principal.userId);
      await this.changed(manager, principal.organizationId, principal.userId, 'recovery_codes_regenerated');
      return codes;
    });
  }

  /**
   * Turns the caller's second factor off (or drops an enrolment waiting for its code), after a
   * current code or a recovery code. Refused (FORBIDDEN) while the token's organization requires it of them.
   */
  async disable(principal: Principal, proof: MfaProof): Promise<MfaStatusView> {
    assertPerson(principal);
    const row = await this.rowOf(principal.userId);
    if (!row) return this.status(principal.userId);
    if (row.enabled_at) {
      if (await this.requiredFor(principal.userId, principal.organizationId)) {
        throw new ForbiddenError('Your organization requires a second factor of you: it cannot be turned off', { reason: 'MFA_REQUIRED' });
      }
      const field = proof.code !== undefined ? 'mfaCode' : 'recoveryCode';
      if (!(await this.verify(principal.userId, principal.organizationId, proof, 'mfaCode'))) {
        throw new BadUserInputError(`${field}: is not a valid code (or was already used)`, field);
      }
    }
    await this.dataSource.transaction(async (manager) => {
      await manager.query('DELETE FROM identity.mfa_recovery_codes WHERE user_id = $1', [principal.userId]);
      await manager.query('DELETE FROM identity.user_mfa WHERE user_id = $1', [principal.userId]);
      if (row.enabled_at) await this.changed(manager, principal.organizationId, principal.userId, 'disabled');
    });
    return this.status(principal.userId);
  }

  /** What a sign-in of this member must do: present a code when they have a second factor, enrol when the organization requires one. */
  async signInStep(userId: string, organizationId: string): Promise<MfaSignInStep> {
    const row = await this.rowOf(userId);
    if (row?.enabled_at) return 'verify';
    return this.signInStepOf(userId, organizationId, false, await this.requirementOf(organizationId));
  }

  /**
   * `signInStep` for a sign-in that read, in its own statement, whether the member's second
   * factor is on and the organization's requirement (NONE for one that set none).
   */
  async signInStepOf(userId: string, organizationId: string, enabled: boolean, requirement: MfaRequirement): Promise<MfaSignInStep> {
    if (enabled) return 'verify';
    return (await this.requires(requirement, userId, organizationId)) ? 'enroll' : 'none';
  }

  /** Whether the organization requires a second factor of this member (for admins: owners and admins). */
  async requiredFor(userId: string, organizationId: string): Promise<boolean> {
    return this.requires(await this.requirementOf(organizationId), userId, organizationId);
  }

  private async requires(requirement: MfaRequirement, userId: string, organizationId: string): Promise<boolean> {
    if (requirement === MfaRequirement.EVERYONE) return true;
    if (requirement === MfaRequirement.NONE) return false;
    const policy = await this.authorizer.currentPolicy(organizationId);
    const now = this.authorizer.now();
    return policy.holds(userId, OWNER_ROLE_ID, now) || policy.holds(userId, ADMIN_ROLE_ID, now);
  }

  /** The organizations' requirements, in their order (NONE for one that set none). */
  async requirementsOf(organizationIds: readonly string[]): Promise<MfaRequirement[]> {
    const rows = (await this.dataSource.query(
      'SELECT organization_id, requirement FROM identity.mfa_policies WHERE organization_id = ANY($1)',
      [organizationIds],
    )) as { organization_id: string; requirement: MfaRequirement }[];
    const byId = new Map(rows.map((row) => [row.organization_id, row.requirement]));
    return organizationIds.map((id) => byId.get(id) ?? MfaRequirement.NONE);
  }

  async requirementOf(organizationId: string): Promise<MfaRequirement> {
    return (await this.requirementsOf([organizationId]))[0]!;
  }

  /** Sets who in the caller's organization must have a second factor (the resolver requires `organization:update`). */
  async setRequirement(principal: Principal, organizationId: string, requirement: MfaRequirement): Promise<MfaRequirement> {
    assertOwnOrganization(principal, organizationId);
    if (!Object.values(MfaRequirement).includes(requirement)) {
      throw new BadUserInputError(`requirement: one of ${Object.values(MfaRequirement).join(', ')}`, 'requirement');
    }
    await this.dataSource.query(
      `INSERT INTO identity.mfa_policies (organization_id, requirement, updated_at, updated_by_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (organization_id) DO UPDATE SET requirement = $2, updated_at = $3, updated_by_id = $4`,
      [organizationId, requirement, new Date(this.now()), principal.userId],
    );
    return requirement;
  }

  private async rowOf(userId: string): Promise<MfaRow | undefined> {
    const [row] = (await this.dataSource.query(
      'SELECT user_id, secret_sealed, enabled_at, last_used_step FROM identity.user_mfa WHERE user_id = $1',
      [userId],
    )) as MfaRow[];
    return row;
  }

  /**
   * Checks a six-digit code against the secret, within one step either side, and takes its step
   * if no code of that step or a later one was accepted before: in one statement, so two requests
   * with the same code cannot both pass.
   */
  private async acceptTotp(row: MfaRow, code: string, field: string): Promise<boolean> {
    const token = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(token)) {
      throw new BadUserInputError(`${field}: is six digits, as your authenticator app shows them`, field);
    }
    const now = this.now();
    const totp = new TOTP({ secret: Secret.fromBase32(this.secrets.open(row.secret_sealed)), digits: DIGITS, period: PERIOD_SECONDS });
    const delta = totp.validate({ token, timestamp: now, window: WINDOW });
    if (delta === null) return false;
    const step = totp.counter({ timestamp: now }) + delta;
    const [taken] = (await this.dataSource.query(
      'UPDATE identity.user_mfa SET last_used_step = $2 WHERE user_id = $1 AND (last_used_step IS NULL OR last_used_step < $2) RETURNING user_id',
      [row.user_id, step],
    )) as [unknown[], number];
    return taken.length > 0;
  }

  private enrollmentView(secret: string, accountName: string): MfaEnrollmentView {
    const totp = new TOTP({
      issuer: this.issuer,
      label: accountName,
      secret: Secret.fromBase32(secret),
      digits: DIGITS,
      period: PERIOD_SECONDS,
    });
    return { secret, otpauthUri: totp.toString() };
  }

  private async replaceRecoveryCodes(manager: EntityManager, userId: string): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
    await manager.query('DELETE FROM identity.mfa_recovery_codes WHERE user_id = $1', [userId]);
    await manager.query('INSERT INTO identity.mfa_recovery_codes (user_id, code_hash, created_at) SELECT $1, unnest($2::text[]), $3', [
      userId,
      codes.map((code) => hashRecoveryCode(code)!),
      new Date(this.now()),
    ]);
    return codes;
  }

  private async changed(manager: EntityManager, organizationId: string, userId: string, change: MfaChange): Promise<void> {
    await this.outbox.add(manager, { type: 'identity.mfa.changed', payload: { organizationId, userId, change } });
  }
}

/** `xxxxx-xxxxx` from the recovery alphabet. */
function newRecoveryCode(): string {
  const characters = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]!);
  return `${characters.slice(0, 5).join('')}-${characters.slice(5).join('')}`;
}

/** The stored form of a recovery code as a person may type it (any case, with or without the dash); undefined for what cannot be one. */
function hashRecoveryCode(code: string): string | undefined {
  const normal = code.toLowerCase().replace(/[\s-]/g, '');
  if (normal.length !== 10 || [...normal].some((character) => !RECOVERY_ALPHABET.includes(character))) return undefined;
  return createHash('sha256').update(normal).digest('hex');
}

/** A second factor is a person's: an API key acting for one cannot change it. */
function assertPerson(principal: Principal): void {
  if (principal.apiKey) throw new ForbiddenError('An API key cannot change a second factor: sign in as a person');
}

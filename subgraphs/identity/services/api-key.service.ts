import { createHash, randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { API_KEY_PREFIX, NEVER_EXPIRES, isApiKey } from '../../../platform/auth/api-keys';
import type { Principal } from '../../../platform/auth/principal';
import type { Authorizer } from '../../../platform/authorization/authorizer';
import { formatPermission, parsePermission } from '../../../platform/authorization/permissions';
import { operationManifest } from '../../../platform/operation-manifest';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, ConflictError, ForbiddenError, NotFoundError, UnauthenticatedError } from '../../../platform/errors';
import { isId, newId } from '../../../platform/ids';
import { LOCAL_REVOCATIONS } from '../../../platform/outbox/event-catalogue';
import type { Outbox } from '../../../platform/outbox/outbox';
import type { ApiKey } from '../types/api-key.type';
import type { CreatedApiKey } from '../types/created-api-key.type';
import type { MemberService } from './member.service';

/** Live (not revoked) keys an organization may have at once. */
export const MAX_LIVE_API_KEYS = 100;
/** The furthest ahead an expiry may be. */
const MAX_LIFETIME_MS = 3 * 365 * 24 * 60 * 60 * 1000;
/** Characters of the key kept for display: `ak_live_` and four of the secret. */
const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 4;
/** Last-used times are written in one batch this often, not on every request. */
const LAST_USED_FLUSH_MS = 30_000;
/** A refused (revoked or expired) key is reported to the audit log at most this often per key. */
const REFUSAL_REPORT_MS = 60_000;

/** A key's own budgets per rate-limit window: what it gets when created without them, and the bounds of each. */
export const API_KEY_LIMITS = {
  requestsPerWindow: { default: 600, min: 1, max: 100_000 },
  costPerWindow: { default: 1_000_000, min: 100, max: 100_000_000 },
} as const;

interface ApiKeyRow {
  id: string;
  organization_id: string;
  created_by_id: string;
  name: string;
  prefix: string;
  permissions: string[] | null;
  operations: string[] | null;
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  requests_per_window: number;
  cost_per_window: number;
}

const COLUMNS =
  'id, organization_id, created_by_id, name, prefix, permissions, operations, created_at, expires_at, last_used_at, revoked_at, requests_per_window, cost_per_window';

export interface CreateApiKey {
  name: string;
  permissions?: string[] | null;
  operations?: string[] | null;
  expiresAt?: Date | null;
  requestsPerWindow?: number | null;
  costPerWindow?: number | null;
}

/** A key's budgets to change; what is left out stays. */
export interface UpdateApiKeyLimits {
  id: string;
  requestsPerWindow?: number | null;
  costPerWindow?: number | null;
}

/**
 * API keys for machine clients: `ak_live_` and 32 random bytes, shown once; only the
 * SHA-256 of the key is stored (a hash of 256 random bits needs no salt or stretching) with
 * its first characters for display. A key acts for the member who created it, in their
 * organization, within the permissions it was given, and never beyond what that member holds
 * at the time of each request (platform/access-enforcement.ts). Revocation is a fact on the
 * outbox every process applies (platform/auth/membership-revocations.ts).
 */
export class ApiKeyService {
  /** Keys verified since the last flush, with when. */
  private readonly used = new Map<string, Date>();
  private readonly refusalsReported = new Map<string, number>();
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly authorizer: Pick<Authorizer, 'policyFor' | 'now'>,
    private readonly members: Pick<MemberService, 'isActiveMember'>,
    private readonly now: () => number = Date.now,
  ) {}

  async create(principal: Principal, input: CreateApiKey): Promise<CreatedApiKey> {
    if (principal.apiKey) throw new ForbiddenError('An API key cannot create API keys: sign in as a person');
    const permissions = await this.grantable(principal, input.permissions ?? null);
    const operations = manifestOperations(input.operations ?? null);
    const requestsPerWindow = limitValue('requestsPerWindow', input.requestsPerWindow) ?? API_KEY_LIMITS.requestsPerWindow.default;
    const costPerWindow = limitValue('costPerWindow', input.costPerWindow) ?? API_KEY_LIMITS.costPerWindow.default;
    const now = this.now();
    if (input.expiresAt) {
      if (input.expiresAt.getTime() <= now) throw new BadUserInputError('input.expiresAt: must be in the future', 'input.expiresAt');
      if (input.expiresAt.getTime() > now + MAX_LIFETIME_MS) {
        throw new BadUserInputError('input.expiresAt: must be at most 3 years ahead', 'input.expiresAt');
      }
    }
    const secret = `${API_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
    const id = newId('apiKey');
    const row = await this.dataSource.transaction(async (manager) => {
      // One writer at a time per organization, so the cap holds under concurrent creations.
      await manager.query('SELECT 1 FROM identity.organizations WHERE id = $1 FOR UPDATE', [principal.organizationId]);
      const [{ live }] = (await manager.query(
        'SELECT count(*)::int AS live FROM identity.api_keys WHERE organization_id = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)',
        [principal.organizationId, new Date(now)],
      )) as [{ live: number }];
      if (live >= MAX_LIVE_API_KEYS) {
        throw new ConflictError(`The organization already has ${MAX_LIVE_API_KEYS} live API keys: revoke one first`);
      }
      const [inserted] = (await manager.query(
        `INSERT INTO identity.api_keys
           (id, organization_id, created_by_id, name, prefix, key_hash, permissions, operations, created_at, expires_at, requests_per_window, cost_per_window)
         VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $10::jsonb, $8, $9, $11, $12) RETURNING ${COLUMNS}`,
        [
          id,
          principal.organizationId,
          principal.userId,
          input.name.trim(),
          secret.slice(0, DISPLAY_PREFIX_LENGTH),
          hashKey(secret),
          permissions ? JSON.stringify(permissions) : null,
          new Date(now),
          input.expiresAt ?? null,
          operations ? JSON.stringify(operations) : null,
          requestsPerWindow,
          costPerWindow,
        ],
      )) as ApiKeyRow[];
      await this.outbox.add(manager, {
        type: 'identity.api_key.created',
        payload: {
          organizationId: principal.organizationId,
          userId: principal.userId,
          apiKeyId: id,
          name: input.name.trim(),
          permissions,
          expiresAt: input.expiresAt?.toISOString() ?? null,
        },
      });
      return inserted!;
    });
    return { apiKey: toApiKey(row), secret };
  }

  /**
   * Changes a key of the caller's organization's budgets. The gateway counts the new ones
   * from the key's next verification (it keeps a verified key at most a minute).
   */
  async updateLimits(principal: Principal, input: UpdateApiKeyLimits): Promise<ApiKey> {
    if (principal.apiKey) throw new ForbiddenError('An API key cannot change API keys: sign in as a person');
    if (!isId('apiKey', input.id))
      throw new BadUserInputError(`input.id: "${input.id.slice(0, 40)}" is not an API key id (apikey_…)`, 'input.id');
    const requestsPerWindow = limitValue('requestsPerWindow', input.requestsPerWindow);
    const costPerWindow = limitValue('costPerWindow', input.costPerWindow);
    const [rows] = (await this.dataSource.query(
      `UPDATE identity.api_keys SET requests_per_window = COALESCE($3, requests_per_window), cost_per_window = COALESCE($4, cost_per_window)
        WHERE id = $1 AND organization_id = $2 RETURNING ${COLUMNS}`,
      [input.id, principal.organizationId, requestsPerWindow ?? null, costPerWindow ?? null],
    )) as [ApiKeyRow[], number];
    // Another organization's key is as unknown as one that does not exist.
    if (!rows[0]) throw new NotFoundError('ApiKey', input.id, 'input.id');
    return toApiKey(rows[0]);
  }

  /** The organization's keys, newest first; revoked ones only when asked. */
  async list(principal: Principal, organizationId: string, includeRevoked: boolean): Promise<ApiKey[]> {
    assertOwnOrganization(principal, organizationId);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM identity.api_keys WHERE organization_id = $1 ${includeRevoked ? '' : 'AND revoked_at IS NULL'}
        ORDER BY created_at DESC, id DESC LIMIT 500`,
      [organizationId],
    )) as ApiKeyRow[];
    return rows.map(toApiKey);
  }

  /**
   * Revokes a key of the caller's organization; it is refused by this process when the
   * answer comes, and by every other within the moment the fact takes to reach it. Revoking a
   * revoked key answers it as it is.
   */
  async revoke(principal: Principal, id: string): Promise<ApiKey> {
    if (!isId('apiKey', id)) throw new BadUserInputError(`id: "${id.slice(0, 40)}" is not an API key id (apikey_…)`, 'id');
    const outcome = await this.dataSource.transaction(async (manager) => {
      const [rows] = (await manager.query(
        `UPDATE identity.api_keys SET revoked_at = $3, revoked_by_id = $4
          WHERE id = $1 AND organization_id = $2 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
        [id, principal.organizationId, new Date(this.now()), principal.userId],
      )) as [ApiKeyRow[], number];
      const revoked = rows[0];
      if (!revoked) return { row: null, eventId: null };
      const eventId = await this.outbox.add(manager, {
        type: 'identity.api_key.revoked',
        payload: { organizationId: principal.organizationId, userId: principal.userId, apiKeyId: id, createdById: revoked.created_by_id },
      });
      return { row: revoked, eventId };
    });
    if (outcome.row && outcome.eventId) {
      await this.outbox.appliedBy([LOCAL_REVOCATIONS], outcome.eventId, 5_000);
      return toApiKey(outcome.row);
    }
    const [existing] = (await this.dataSource.query(`SELECT ${COLUMNS} FROM identity.api_keys WHERE id = $1 AND organization_id = $2`, [
      id,
      principal.organizationId,
    ])) as ApiKeyRow[];
    // Another organization's key is as unknown as one that does not exist.
    if (!existing) throw new NotFoundError('ApiKey', id, 'id');
    return toApiKey(existing);
  }

  /**
   * Who a key stands for: its creator, in its organization, with its permissions. Refused
   * (UNAUTHENTICATED): unknown, revoked, expired, or its creator no longer an active member.
   * Its last-used time is noted in memory and written in a batch (`flushLastUsed`).
   */
  async verify(key: string): Promise<Principal> {
    if (!isApiKey(key) || key.length > 200) throw new UnauthenticatedError('API key is not valid');
    const [row] = (await this.dataSource.query(`SELECT ${COLUMNS} FROM identity.api_keys WHERE key_hash = $1`, [
      hashKey(key),
    ])) as ApiKeyRow[];
    if (!row) throw new UnauthenticatedError('API key is not valid');
    const now = this.now();
    if (row.revoked_at) {
      await this.reportRefusal(row, 'revoked');
      throw new UnauthenticatedError('This API key has been revoked');
    }
    if (row.expires_at && row.expires_at.getTime() <= now) {
      await this.reportRefusal(row, 'expired');
      throw new UnauthenticatedError('This API key has expired');
    }
    if (!(await this.members.isActiveMember(row.organization_id, row.created_by_id))) {
      throw new UnauthenticatedError('The member who created this API key is no longer active in its organization');
    }
    this.used.set(row.id, new Date(now));
    this.flushTimer ??= setTimeout(() => void this.flushLastUsed(), LAST_USED_FLUSH_MS).unref();
    return {
      userId: row.created_by_id,
      organizationId: row.organization_id,
      sessionId: row.id,
      expiresAt: row.expires_at ?? NEVER_EXPIRES,
      apiKey: {
        id: row.id,
        name: row.name,
        permissions: row.permissions,
        operations: row.operations,
        limits: { requestsPerWindow: row.requests_per_window, costPerWindow: row.cost_per_window },
      },
    };
  }

  /** Writes the last-used times noted since the last flush, in one statement. */
  async flushLastUsed(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    if (this.used.size === 0) return;
    const batch = [...this.used];
    this.used.clear();
    await this.dataSource
      .query(
        `UPDATE identity.api_keys k SET last_used_at = u.at
           FROM unnest($1::text[], $2::timestamptz[]) AS u(id, at)
          WHERE k.id = u.id AND (k.last_used_at IS NULL OR k.last_used_at < u.at)`,
        [batch.map(([id]) => id), batch.map(([, at]) => at)],
      )
      .catch(() => undefined);
  }

  /** Stops the batch timer, writing what is noted. */
  async close(): Promise<void> {
    await this.flushLastUsed();
  }

  private async grantable(principal: Principal, values: string[] | null): Promise<string[] | null> {
    if (values === null) return null;
    if (values.length === 0)
      throw new BadUserInputError('input.permissions: give at least one, or omit it for everything you hold', 'input.permissions');
    const parsed = values.map((value, index) => parsePermission(value, `input.permissions[${index}]`));
    const unique = [...new Map(parsed.map((permission) => [formatPermission(permission), permission])).values()];
    const policy = await this.authorizer.policyFor(principal.organizationId);
    const missing = policy.missing(principal.userId, unique, this.authorizer.now()).map(formatPermission);
    if (missing.length > 0) {
      throw new ForbiddenError(`input.permissions: you cannot give a key ${missing.join(', ')}, which you do not hold yourself`, {
        field: 'input.permissions',
      });
    }
    return unique.map(formatPermission);
  }

  private async reportRefusal(row: ApiKeyRow, reason: 'revoked' | 'expired'): Promise<void> {
    const now = this.now();
    if ((this.refusalsReported.get(row.id) ?? 0) + REFUSAL_REPORT_MS > now) return;
    this.refusalsReported.set(row.id, now);
    if (this.refusalsReported.size > 10_000) this.refusalsReported.delete(this.refusalsReported.keys().next().value!);
    await this.dataSource
      .transaction((manager) =>
        this.outbox.add(manager, {
          type: 'identity.api_key.used',
          payload: { organizationId: row.organization_id, apiKeyId: row.id, outcome: 'denied', reason },
        }),
      )
      .catch(() => undefined);
  }
}

/** The operations a partner's key is bound to: names of the manifest, each once (null: any document). */
function manifestOperations(values: string[] | null): string[] | null {
  if (values === null) return null;
  if (values.length === 0)
    throw new BadUserInputError('input.operations: give at least one, or omit it for any document', 'input.operations');
  const known = new Set(operationManifest().operations.map((operation) => operation.name));
  const unknown = values.filter((value) => !known.has(value));
  if (unknown.length > 0) {
    throw new BadUserInputError(`input.operations: ${unknown.join(', ')} is not an operation of the manifest`, 'input.operations');
  }
  return [...new Set(values)].sort();
}

/** A budget as given (undefined or null: not given), within its bounds; BAD_USER_INPUT naming the field otherwise. */
function limitValue(name: keyof typeof API_KEY_LIMITS, value: number | null | undefined): number | undefined {
  if (value === undefined || value === null) return undefined;
  const { min, max } = API_KEY_LIMITS[name];
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BadUserInputError(
      `input.${name}: a whole number from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}`,
      `input.${name}`,
    );
  }
  return value;
}

function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    organizationId: row.organization_id,
    createdById: row.created_by_id,
    name: row.name,
    prefix: row.prefix,
    permissions: row.permissions,
    operations: row.operations,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
    requestsPerWindow: row.requests_per_window,
    costPerWindow: row.cost_per_window,
  };
}

function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

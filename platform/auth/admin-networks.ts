import { BlockList, isIP } from 'node:net';
import { BadUserInputError, ForbiddenError, ServiceUnavailableError } from '../errors';
import { SUBGRAPH_SECRET_HEADER } from '../subgraph-credential';
import type { Principal } from './principal';

/** Where identity answers an organization's admin IP allowlist: to holders of the subgraph credential only. */
export const ADMIN_ALLOWLIST_PATH = '/internal/v1/admin-ip-allowlist';
/** The roles whose mutations the allowlist binds. */
export const ADMIN_ROLE_IDS = ['role_owner', 'role_admin'] as const;
/** Entries one allowlist may hold. */
export const MAX_ALLOWLIST_ENTRIES = 100;
/** A process asks identity again after this long even without a change fact (a missed fact heals). */
const CACHE_MS = 60_000;

/**
 * `203.0.113.0/24`, `2001:db8::/32`, or one address (`/32` or `/128` implied), in the form
 * it is stored: the address as written, then the prefix. Anything else is BAD_USER_INPUT
 * naming `field`.
 */
export function parseCidr(value: string, field: string): string {
  const text = value.trim();
  const [address = '', prefixText, ...rest] = text.split('/');
  const family = isIP(address);
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  if (family === 0 || rest.length > 0 || !(prefix >= 0 && prefix <= max)) {
    throw new BadUserInputError(
      `${field}: "${text.slice(0, 60)}" is not an IPv4 or IPv6 network; write an address with a prefix, such as 203.0.113.0/24 or 2001:db8::/32`,
      field,
    );
  }
  return `${address.toLowerCase()}/${prefix}`;
}

/** Whether `ip` is in one of `cidrs` (stored form). An IPv4 address seen as IPv6 (`::ffff:203.0.113.9`) matches its IPv4 network. */
export function allowlistContains(cidrs: readonly string[], ip: string | null | undefined): boolean {
  if (!ip) return false;
  const family = isIP(ip);
  if (family === 0) return false;
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [address, prefix] = cidr.split('/') as [string, string];
    list.addSubnet(address, Number(prefix), isIP(address) === 4 ? 'ipv4' : 'ipv6');
  }
  return list.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

/** An organization's admin IP allowlist, as identity stores it (empty: no restriction). */
export type AllowlistSource = (organizationId: string) => Promise<readonly string[]>;

/**
 * The admin IP allowlist rule, in every process: a mutation by an owner or admin of the
 * organization (including through an API key one of them created) is refused when the
 * organization has an allowlist and the caller's address is not on it. Lists are asked of
 * identity once a minute per organization and dropped when identity states a change.
 */
export class AdminNetworks {
  private readonly cache = new Map<string, { cidrs: Promise<readonly string[]>; loadedAt: number }>();

  constructor(
    private readonly source: AllowlistSource,
    private readonly now: () => number = Date.now,
  ) {}

  /** After identity's fact: the next mutation of that organization asks again. */
  changed(organizationId: string): void {
    this.cache.delete(organizationId);
  }

  allowlist(organizationId: string): Promise<readonly string[]> {
    const cached = this.cache.get(organizationId);
    if (cached && this.now() - cached.loadedAt < CACHE_MS) return cached.cidrs;
    const cidrs = this.source(organizationId);
    const entry = { cidrs, loadedAt: this.now() };
    this.cache.set(organizationId, entry);
    cidrs.catch(() => {
      if (this.cache.get(organizationId) === entry) this.cache.delete(organizationId);
    });
    if (this.cache.size > 10_000) this.cache.delete(this.cache.keys().next().value!);
    return cidrs;
  }

  /** Throws FORBIDDEN (`reason: IP_NOT_ALLOWED`) when `isAdmin` and the organization's list does not hold `ip`. */
  async assertAllowed(principal: Principal, ip: string | null | undefined, isAdmin: () => Promise<boolean>): Promise<void> {
    // The role first: it is in memory, the list may need a question to identity.
    if (!(await isAdmin())) return;
    const cidrs = await this.allowlist(principal.organizationId);
    if (cidrs.length === 0 || allowlistContains(cidrs, ip)) return;
    throw new ForbiddenError(
      `Your address ${ip ?? '(unknown)'} is not on the admin IP allowlist of organization "${principal.organizationId}": owners and admins change it only from an allowed network`,
      { reason: 'IP_NOT_ALLOWED', ip: ip ?? null },
    );
  }
}

/** Asks identity (`identityOrigin`, with the subgraph credential) for an organization's allowlist. */
export function remoteAllowlistSource(identityOrigin: string, subgraphSecret: string, timeoutMs = 5_000): AllowlistSource {
  return async (organizationId) => {
    const url = new URL(ADMIN_ALLOWLIST_PATH, identityOrigin);
    url.searchParams.set('organization_id', organizationId);
    let response: Response;
    try {
      response = await fetch(url, { headers: { [SUBGRAPH_SECRET_HEADER]: subgraphSecret }, signal: AbortSignal.timeout(timeoutMs) });
    } catch {
      throw unavailable();
    }
    const body = (await response.json().catch(() => null)) as { cidrs?: unknown } | null;
    if (response.status !== 200 || !Array.isArray(body?.cidrs)) throw unavailable();
    return body.cidrs.filter((cidr): cidr is string => typeof cidr === 'string');
  };
}

function unavailable(): ServiceUnavailableError {
  return new ServiceUnavailableError('identity', "The organization's admin IP allowlist cannot be read right now: retry shortly.");
}

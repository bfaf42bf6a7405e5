import { isIP } from 'node:net';
import type { AuditEvent, Severity } from './audit-event';

/**
 * The rules over the audit stream. Each names the events it looks at (`matches`), what it
 * counts them by (`subject`), and how many in what window open a security event. Identity's
 * sign-in facts arrive as `identity.login.failed` (actor: the user tried, `ip` set); the
 * rules match on those action names, so they apply as soon as identity writes them. A
 * successful sign-in is `identity.sso.login` (identity's `identity.sso.login_succeeded` fact)
 * or `identity.login.succeeded` (written through the API), the user its actor.
 */
export interface SecurityRule {
  name: string;
  severity: Severity;
  /** A SQL condition over `audit.events` selecting what the rule counts, given the subject. */
  counted: { condition: string; value: (event: AuditEvent) => string };
  /** The subjects an event is counted for by this rule (none: the event does not concern it). */
  subjects(event: AuditEvent): string[];
  /** Asked before counting, for what the stream does not say (whether the actor is an admin now). */
  applies?(event: AuditEvent): Promise<boolean>;
  threshold: number;
  windowSeconds: number;
  summary(subject: string, count: number): string;
}

export interface RuleSettings {
  /** An export of more than this many rows opens a security event. */
  largeExportRows: number;
  /** An admin's sign-in from a network (IPv4 /24, IPv6 /48) none of their sign-ins came from in this many days opens one. */
  newNetworkDays?: number;
  /** Whether the user holds an admin role (owner or admin) in the organization; without it, no sign-in is an admin's. */
  isAdmin?(organizationId: string, userId: string): Promise<boolean>;
}

/** How far back an admin's sign-in networks are remembered by default. */
export const DEFAULT_NEW_NETWORK_DAYS = 30;

/** The actions of a successful sign-in. */
export const SIGN_IN_ACTIONS = ['identity.sso.login', 'identity.login.succeeded'] as const;

const isSignIn = (event: AuditEvent) =>
  (SIGN_IN_ACTIONS as readonly string[]).includes(event.action) && event.outcome === 'success' && event.actor.type === 'user';

/** The network of an address a sign-in is compared by: its /24 (IPv4, also written as ::ffff:a.b.c.d) or its /48 (IPv6). */
export function networkOf(ip: string): string | null {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/i.exec(ip);
  if (v4) return isIP(ip.replace(/^::ffff:/i, '')) === 4 ? `${v4[1]}.${v4[2]}.${v4[3]}.0/24` : null;
  if (isIP(ip) !== 6) return null;
  const [head = '', tail] = ip.toLowerCase().split('%')[0]!.split('::');
  const groups = head ? head.split(':') : [];
  // `::` stands for zeros up to eight groups; only the first three matter, and a tail (with an embedded IPv4 as two) comes after.
  if (tail !== undefined) {
    const tailGroups = tail ? tail.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group])) : [];
    while (groups.length < 8 - tailGroups.length) groups.push('0');
    groups.push(...tailGroups);
  }
  return `${groups
    .slice(0, 3)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/48`;
}

/** The same network in SQL, for an address column (stored addresses passed isIP at ingest). */
function networkSql(column: string): string {
  const v4 = `substring(${column} from '^(?:::[fF]{4}:)?([0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3})$')`;
  return `(CASE WHEN ${v4} IS NOT NULL THEN network(set_masklen((${v4})::inet, 24)) ELSE network(set_masklen(${column}::inet, 48)) END)`;
}

const isFailedLogin = (event: AuditEvent) => event.action === 'identity.login.failed';

export function securityRules(settings: RuleSettings): SecurityRule[] {
  const newNetworkDays = settings.newNetworkDays ?? DEFAULT_NEW_NETWORK_DAYS;
  const isAdmin = settings.isAdmin ?? (async () => false);
  const earlierSignIn = `p.organization_id = $1 AND p.action IN (${SIGN_IN_ACTIONS.map((a) => `'${a}'`).join(', ')}) AND p.outcome = 'success'
    AND p.actor_type = 'user' AND p.actor_id = audit.events.actor_id AND p.sequence < audit.events.sequence AND p.ip IS NOT NULL`;
  return [
    {
      name: 'failed_logins_user',
      severity: 'warning',
      threshold: 5,
      windowSeconds: 15 * 60,
      subjects: (event) => (isFailedLogin(event) && loginUser(event) ? [`user:${loginUser(event)}`] : []),
      counted: {
        condition: `action = 'identity.login.failed' AND (actor_id = $3 OR targets @> jsonb_build_array(jsonb_build_object('type', 'user', 'id', $3::text)))`,
        value: (event) => loginUser(event)!,
      },
      summary: (subject, count) => `${count} failed sign-ins for ${subject} within 15 minutes`,
    },
    {
      name: 'failed_logins_ip',
      severity: 'warning',
      threshold: 10,
      windowSeconds: 15 * 60,
      subjects: (event) => (isFailedLogin(event) && event.ip ? [`ip:${event.ip}`] : []),
      counted: { condition: `action = 'identity.login.failed' AND ip = $3`, value: (event) => event.ip! },
      summary: (subject, count) => `${count} failed sign-ins from ${subject.slice(3)} within 15 minutes`,
    },
    {
      name: 'permission_denials',
      severity: 'warning',
      threshold: 10,
      windowSeconds: 5 * 60,
      subjects: (event) => (event.outcome === 'denied' && event.actor.id ? [`${event.actor.type}:${event.actor.id}`] : []),
      counted: { condition: `outcome = 'denied' AND actor_id = $3`, value: (event) => event.actor.id! },
      summary: (subject, count) => `${count} permission denials for ${subject} within 5 minutes`,
    },
    {
      name: 'revoked_api_key_used',
      severity: 'critical',
      threshold: 1,
      windowSeconds: 365 * 86_400,
      subjects: (event) => {
        const key = usedApiKey(event);
        return key ? [`api_key:${key}`] : [];
      },
      // Counted only when the key was revoked before this use.
      counted: {
        condition: `(actor_type = 'api_key' AND actor_id = $3 OR action = 'identity.api_key.used' AND targets @> jsonb_build_array(jsonb_build_object('type', 'api_key', 'id', $3::text)))
          AND EXISTS (SELECT 1 FROM audit.events r WHERE r.organization_id = $1 AND r.action = 'identity.api_key.revoked'
                        AND r.targets @> jsonb_build_array(jsonb_build_object('type', 'api_key', 'id', $3::text)) AND r.sequence < audit.events.sequence)`,
        value: (event) => usedApiKey(event)!,
      },
      summary: (subject, count) => `${subject} was used ${count} time(s) after it was revoked`,
    },
    {
      name: 'large_export',
      severity: 'warning',
      threshold: 1,
      windowSeconds: 86_400,
      subjects: (event) =>
        event.action === 'audit.logs.exported' && Number(event.metadata?.rows ?? 0) > settings.largeExportRows
          ? [`export:${event.id}`]
          : [],
      counted: { condition: `id = $3`, value: (event) => event.id },
      summary: (_subject, count) => `An export of more than ${settings.largeExportRows} audit events (${count} export)`,
    },
    {
      name: 'admin_new_network',
      severity: 'warning',
      threshold: 1,
      windowSeconds: 86_400,
      // A first sign-in (no earlier one with an address) is no anomaly; a later one from a network not seen in the window is.
      subjects: (event) => {
        const network = isSignIn(event) && event.actor.id && event.ip ? networkOf(event.ip) : null;
        return network ? [`user:${event.actor.id} network:${network}`] : [];
      },
      applies: (event) => isAdmin(event.organizationId, event.actor.id!),
      counted: {
        condition: `id = $3
          AND EXISTS (SELECT 1 FROM audit.events p WHERE ${earlierSignIn})
          AND NOT EXISTS (SELECT 1 FROM audit.events p WHERE ${earlierSignIn}
                            AND p.recorded_at > audit.events.recorded_at - make_interval(days => ${Math.floor(newNetworkDays)})
                            AND ${networkSql('p.ip')} = ${networkSql('audit.events.ip')})`,
        value: (event) => event.id,
      },
      summary: (subject) => {
        const [user, network] = subject.split(' ');
        return `An admin (${user!.slice(5)}) signed in from ${network!.slice(8)}, a network none of their sign-ins came from in ${newNetworkDays} days`;
      },
    },
  ];
}

function loginUser(event: AuditEvent): string | null {
  return event.actor.type === 'user' && event.actor.id ? event.actor.id : (event.targets.find((t) => t.type === 'user')?.id ?? null);
}

function usedApiKey(event: AuditEvent): string | null {
  if (event.actor.type === 'api_key' && event.actor.id && event.action !== 'identity.api_key.revoked') return event.actor.id;
  if (event.action === 'identity.api_key.used') return event.targets.find((t) => t.type === 'api_key')?.id ?? null;
  return null;
}

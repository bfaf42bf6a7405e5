import type { AuditEvent, Severity } from './audit-event';

/**
 * The rules over the audit stream. Each names the events it looks at (`matches`), what it
 * counts them by (`subject`), and how many in what window open a security event. Identity's
 * sign-in facts arrive as `identity.login.failed` (actor: the user tried, `ip` set); the
 * rules match on those action names, so they apply as soon as identity writes them.
 */
export interface SecurityRule {
  name: string;
  severity: Severity;
  /** A SQL condition over `audit.events` selecting what the rule counts, given the subject. */
  counted: { condition: string; value: (event: AuditEvent) => string };
  /** The subjects an event is counted for by this rule (none: the event does not concern it). */
  subjects(event: AuditEvent): string[];
  threshold: number;
  windowSeconds: number;
  summary(subject: string, count: number): string;
}

export interface RuleSettings {
  /** An export of more than this many rows opens a security event. */
  largeExportRows: number;
}

const isFailedLogin = (event: AuditEvent) => event.action === 'identity.login.failed';

export function securityRules(settings: RuleSettings): SecurityRule[] {
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

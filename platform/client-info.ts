import type { IncomingHttpHeaders } from 'node:http';

/** Who is at the other end of a request, as the audit log records it beside each mutation. */
export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

/** The caller's address and user agent as the gateway saw them, on its requests to subgraphs. */
export const CLIENT_IP_HEADER = 'x-auralink-client-ip';
export const CLIENT_USER_AGENT_HEADER = 'x-auralink-client-user-agent';

const MAX_IP_LENGTH = 64;
const MAX_USER_AGENT_LENGTH = 512;

function bounded(value: string | string[] | undefined, max: number): string | null {
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!text) return null;
  // Printable ASCII only: a header is no place for control characters in a log.
  return text.replace(/[^\x20-\x7e]/g, '').slice(0, max) || null;
}

/** A client the process itself talks to: its address (as the rate limiter resolves it) and its User-Agent. */
export function directClient(address: string | null | undefined, headers: IncomingHttpHeaders): ClientInfo {
  return { ip: bounded(address ?? undefined, MAX_IP_LENGTH), userAgent: bounded(headers['user-agent'], MAX_USER_AGENT_LENGTH) };
}

/** The client a gateway request speaks for, from the headers only the gateway's credential makes believable. */
export function forwardedClient(headers: IncomingHttpHeaders): ClientInfo {
  return {
    ip: bounded(headers[CLIENT_IP_HEADER], MAX_IP_LENGTH),
    userAgent: bounded(headers[CLIENT_USER_AGENT_HEADER], MAX_USER_AGENT_LENGTH),
  };
}

/** The headers that carry a client on to a subgraph. */
export function clientHeaders(client: ClientInfo): Record<string, string> {
  const headers: Record<string, string> = {};
  if (client.ip) headers[CLIENT_IP_HEADER] = client.ip;
  if (client.userAgent) headers[CLIENT_USER_AGENT_HEADER] = client.userAgent;
  return headers;
}

import type { Principal } from '../platform/auth/principal';
import type { ClientInfo } from '../platform/client-info';
import type { Logger } from '../platform/logger';

export interface GatewayContext {
  requestId: string;
  principal: Principal | null;
  /** The caller's Authorization header, forwarded to subgraphs as it came. */
  authorization: string | undefined;
  logger: Logger;
  /** The caller's address and user agent, passed to subgraphs for the audit log and the admin IP allowlist (over WebSocket: the connection's). */
  client?: ClientInfo;
}

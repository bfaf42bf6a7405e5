import type { Principal } from '../subgraphs/kernel/auth/principal';
import type { Logger } from '../subgraphs/kernel/logger';

export interface GatewayContext {
  requestId: string;
  principal: Principal | null;
  /** The caller's Authorization header, forwarded to subgraphs as it came. */
  authorization: string | undefined;
  logger: Logger;
}

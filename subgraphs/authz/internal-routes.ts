import type { Express, NextFunction, Request, Response } from 'express';
import { bearerToken } from '../../platform/auth/token-verifier';
import { createServiceTokenVerifier } from '../../platform/auth/service-token';
import type { Config } from '../../platform/config';
import { BadUserInputError, CodedError, HTTP_STATUS_BY_CODE, UnauthenticatedError } from '../../platform/errors';
import { isId } from '../../platform/ids';
import type { Logger } from '../../platform/logger';
import type { AuthzServices } from './services';

export const INTERNAL_ROUTE_PREFIX = '/internal/v1/organizations/:organizationId/users/:userId/roles';

/**
 * Routes only identity calls, with a service token (see platform/auth/service-token.ts):
 *   PUT    …/organizations/:org/users/:user/roles/:role   the creator becomes owner, a new member gets the role of
 *                                                         their invitation (checked against the inviter when it was sent)
 *   DELETE …/organizations/:org/users/:user/roles         a member left: every role goes
 * Not part of the supergraph; Kong does not route /internal.
 */
export function mountInternalRoutes(app: Express, services: AuthzServices, config: Config, logger: Logger): void {
  const verify = createServiceTokenVerifier(config);
  const handle =
    (work: (organizationId: string, userId: string, req: Request) => Promise<unknown>) =>
    async (req: Request, res: Response, _next: NextFunction) => {
      try {
        const { organizationId, userId } = req.params as { organizationId: string; userId: string };
        const token = bearerToken(req.headers.authorization);
        if (!token) throw new UnauthenticatedError('A service token is required');
        await verify(token, 'identity', organizationId);
        if (!isId('user', userId)) throw new BadUserInputError(`userId: "${userId}" is not a user id`, 'userId');
        res.json(await work(organizationId, userId, req));
      } catch (error) {
        const coded = error instanceof CodedError ? error : null;
        if (!coded) logger.error({ err: error }, 'internal route failed');
        const code = coded?.code ?? 'INTERNAL';
        res
          .status(HTTP_STATUS_BY_CODE[code])
          .json({ errors: [{ message: coded?.message ?? 'Internal server error', extensions: { code } }] });
      }
    };

  app.put(
    `${INTERNAL_ROUTE_PREFIX}/:roleId`,
    handle(async (organizationId, userId, req) => {
      const roleId = String(req.params.roleId);
      await services.roles.get(organizationId, roleId, 'roleId');
      return services.assignments.grant(organizationId, { userId, roleId });
    }),
  );
  app.delete(
    INTERNAL_ROUTE_PREFIX,
    handle(async (organizationId, userId) => {
      await services.assignments.revokeAll(organizationId, userId);
      return { organizationId, userId, revoked: true };
    }),
  );
}

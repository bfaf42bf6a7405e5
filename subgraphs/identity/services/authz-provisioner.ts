import { signServiceToken } from '../../../platform/auth/service-token';
import type { AccessProvisioner } from '../../../platform/authorization/access-provisioner';
import type { Config } from '../../../platform/config';
import { ConflictError, ServiceUnavailableError } from '../../../platform/errors';
import type { SigningKeyService } from './signing-key.service';

const TIMEOUT_MS = 5_000;

/** Calls authz's internal routes with a service token signed by identity's own key. */
export class AuthzProvisioner implements AccessProvisioner {
  constructor(
    private readonly config: Pick<Config, 'auth'>,
    private readonly keys: SigningKeyService,
    /** authz's GraphQL URL; a function, since authz may start after identity. */
    private readonly authzUrl: () => string,
  ) {}

  async grant(organizationId: string, userId: string, roleId: string): Promise<void> {
    await this.call('PUT', organizationId, `users/${encodeURIComponent(userId)}/roles/${encodeURIComponent(roleId)}`);
  }

  async revokeAll(organizationId: string, userId: string): Promise<void> {
    await this.call('DELETE', organizationId, `users/${encodeURIComponent(userId)}/roles`);
  }

  private async call(method: 'PUT' | 'DELETE', organizationId: string, path: string): Promise<void> {
    const token = await signServiceToken(this.config, await this.keys.activeKey(), 'identity', organizationId);
    // Relative to authz's GraphQL URL, so a path prefix in front of it survives.
    const url = new URL(`internal/v1/organizations/${encodeURIComponent(organizationId)}/${path}`, this.authzUrl());
    let response: Response;
    try {
      response = await fetch(url, { method, headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    } catch {
      throw new ServiceUnavailableError('authz');
    }
    if (response.status >= 500) throw new ServiceUnavailableError('authz');
    if (response.status === 409) {
      const body = (await response.json().catch(() => null)) as { errors?: { message?: string }[] } | null;
      throw new ConflictError(body?.errors?.[0]?.message ?? 'id: refused by authz', 'id');
    }
    if (!response.ok) {
      // A refusal here is a deployment fault (keys, audience), not the caller's: an internal error, logged with the answer.
      throw new Error(`authz ${method} ${url.pathname} answered ${response.status}: ${await response.text()}`);
    }
  }
}

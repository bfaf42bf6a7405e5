import type { SubgraphDependencies } from '../../../platform/subgraph';
import { secretBoxFor } from '../../../platform/secrets';
import type { AccessControl } from '../../../platform/authorization/access-control';
import type { AccessProvisioner } from '../../../platform/authorization/access-provisioner';
import { AuthzProvisioner } from './authz-provisioner';
import { createEventBus } from '../../../platform/events';
import type { EventBus } from '../../../platform/events';
import { createLogger } from '../../../platform/logger';
import { InvitationService } from './invitation.service';
import { MemberService } from './member.service';
import { OrganizationService } from './organization.service';
import { SessionTokenService } from './session-token.service';
import { SigningKeyService } from './signing-key.service';
import { UserService } from './user.service';

export interface IdentityServices {
  organizations: OrganizationService;
  users: UserService;
  members: MemberService;
  invitations: InvitationService;
  signingKeys: SigningKeyService;
  sessionTokens: SessionTokenService;
  events: EventBus;
}

/**
 * `provisioner` keeps authz's role assignments in step with memberships; by default
 * authz's internal routes, at the URL `peerUrl` gives (tests and the demo loader pass one
 * that writes in-process).
 */
export function createIdentityServices(
  dependencies: Pick<SubgraphDependencies, 'config' | 'dataSource'> & { access: Pick<AccessControl, 'authorizer'> } & Partial<
      Pick<SubgraphDependencies, 'peerUrl' | 'events'>
    > & { provisioner?: AccessProvisioner },
): IdentityServices {
  const { config, dataSource, access } = dependencies;
  const users = new UserService(dataSource);
  const signingKeys = new SigningKeyService(dataSource, secretBoxFor(config));
  const peerUrl = dependencies.peerUrl ?? ((name) => config.subgraphs[name].url);
  const provisioner = dependencies.provisioner ?? new AuthzProvisioner(config, signingKeys, () => peerUrl('authz'));
  const events = dependencies.events ?? createEventBus(undefined, createLogger('silent'));
  const members = new MemberService(dataSource, users, provisioner, events, access.authorizer);
  return {
    organizations: new OrganizationService(dataSource, provisioner),
    users,
    members,
    invitations: new InvitationService(dataSource, users, members, access.authorizer),
    events,
    signingKeys,
    sessionTokens: new SessionTokenService(config, signingKeys, users, members),
  };
}

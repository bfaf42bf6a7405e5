import type { SubgraphDependencies } from '../../kernel/subgraph';
import { secretBoxFor } from '../../kernel/secrets';
import { MemberService } from './member.service';
import { OrganizationService } from './organization.service';
import { SessionTokenService } from './session-token.service';
import { SigningKeyService } from './signing-key.service';
import { UserService } from './user.service';

export interface IdentityServices {
  organizations: OrganizationService;
  users: UserService;
  members: MemberService;
  signingKeys: SigningKeyService;
  sessionTokens: SessionTokenService;
}

export function createIdentityServices({ config, dataSource }: Pick<SubgraphDependencies, 'config' | 'dataSource'>): IdentityServices {
  const users = new UserService(dataSource);
  const members = new MemberService(dataSource, users);
  const signingKeys = new SigningKeyService(dataSource, secretBoxFor(config));
  return {
    organizations: new OrganizationService(dataSource),
    users,
    members,
    signingKeys,
    sessionTokens: new SessionTokenService(config, signingKeys, users, members),
  };
}

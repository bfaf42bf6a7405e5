import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { AcceptInvitationDocument, InviteMemberDocument } from '../../schema/generated/operations';
import type { AcceptInvitationMutation } from '../../schema/generated/operations';
import { expectNoErrors } from './client';
import type { Exchange, RequestOptions } from './client';

type Gateway = <TData, TVariables>(
  document: TypedDocumentNode<TData, TVariables> | string,
  variables?: TVariables,
  options?: RequestOptions,
) => Promise<Exchange<TData>>;

/**
 * How a person joins an organization through the API: someone with `members:create`
 * (`inviterToken`) invites the email, and the invitee accepts with the token, signed in
 * with `inviteeToken` if the email already has an account.
 */
export async function joinByInvitation(
  gateway: Gateway,
  options: { inviterToken: string; organizationId: string; email: string; roleId?: string; inviteeToken?: string },
): Promise<AcceptInvitationMutation['acceptInvitation']> {
  const { inviteMember } = expectNoErrors(
    await gateway(
      InviteMemberDocument,
      { input: { organizationId: options.organizationId, email: options.email, roleId: options.roleId } },
      { token: options.inviterToken },
    ),
  );
  const { acceptInvitation } = expectNoErrors(
    await gateway(AcceptInvitationDocument, { token: inviteMember.token! }, { token: options.inviteeToken }),
  );
  return acceptInvitation;
}

import { IsEmail, IsOptional } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { SingleLineText } from '../../../platform/validation';

@InputType({ description: 'Invites a person to an organization by email; they become a member when they accept.' })
export class InviteMemberInput {
  @Field(() => ID)
  organizationId: string;

  @Field(() => String)
  @IsEmail({}, { message: 'must be an email address' })
  @SingleLineText(320)
  email: string;

  @Field(() => ID, {
    nullable: true,
    description: 'The role they get on accepting; `role_member` when omitted. You must hold everything it grants.',
  })
  @IsOptional()
  roleId?: string | null;
}

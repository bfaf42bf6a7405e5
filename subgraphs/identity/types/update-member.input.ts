import { IsEnum } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { MemberStatus } from '../entities/organization-member.entity';

@InputType({ description: 'Changes to a membership.' })
export class UpdateMemberInput {
  @Field(() => MemberStatus)
  @IsEnum(MemberStatus, { message: 'must be ACTIVE or SUSPENDED' })
  status: MemberStatus;
}

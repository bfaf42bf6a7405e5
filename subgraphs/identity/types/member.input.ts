import { IsEmail, IsOptional, MaxLength } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { MemberStatus } from '../entities/organization-member.entity';

@InputType({ description: 'Adds a person to an organization by email; the user is created if new.' })
export class AddMemberInput {
  @Field(() => ID)
  organizationId: string;

  @Field(() => String)
  @IsEmail({}, { message: 'must be an email address' })
  @MaxLength(320, { message: 'must be at most 320 characters' })
  email: string;

  @Field(() => String, { nullable: true, description: 'Display name, used when the user is new.' })
  @IsOptional()
  @MaxLength(200, { message: 'must be at most 200 characters' })
  name?: string;
}

@InputType()
export class UpdateMemberInput {
  @Field(() => MemberStatus)
  status: MemberStatus;
}

@InputType()
export class UpdateProfileInput {
  @Field(() => String, { nullable: true, description: 'Display name; null clears it.' })
  @IsOptional()
  @MaxLength(200, { message: 'must be at most 200 characters' })
  name?: string | null;
}

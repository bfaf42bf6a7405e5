import { IsOptional } from 'class-validator';
import { Field, InputType } from 'type-graphql';
import { SingleLineText } from '../../../platform/validation';

@InputType({ description: 'Changes to your own profile; omitted fields stay as they are.' })
export class UpdateProfileInput {
  @Field(() => String, { nullable: true, description: 'Display name, at most 200 characters; null clears it.' })
  @IsOptional()
  @SingleLineText(200)
  name?: string | null;
}

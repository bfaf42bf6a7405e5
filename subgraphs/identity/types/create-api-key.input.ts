import { ArrayMaxSize, IsOptional } from 'class-validator';
import { Field, InputType, Int } from 'type-graphql';
import { RequiredSingleLineText } from '../../../platform/validation';

@InputType({ description: "Creates an API key in your token's organization, acting for you." })
export class CreateApiKeyInput {
  @Field(() => String, { description: 'What it is for (at most 100 characters).' })
  @RequiredSingleLineText(100)
  name: string;

  @Field(() => [String], {
    nullable: true,
    description: 'What it may do, `resource:action` (at most 100); each must be one you hold. Omitted: everything you hold.',
  })
  @IsOptional()
  @ArrayMaxSize(100, { message: 'must have at most 100 permissions' })
  permissions?: string[] | null;

  @Field(() => [String], {
    nullable: true,
    description:
      'For a partner: the names of the manifest operations it may run (at most 200), by id or as their exact document, and nothing else. Omitted: any document.',
  })
  @IsOptional()
  @ArrayMaxSize(200, { message: 'must have at most 200 operations' })
  operations?: string[] | null;

  @Field(() => Int, {
    nullable: true,
    description: 'Requests it may make per rate-limit window: 1 to 100,000. Omitted: 600.',
  })
  @IsOptional()
  requestsPerWindow?: number | null;

  @Field(() => Int, {
    nullable: true,
    description: "The summed cost of its operations per window (the document cost limit's count): 100 to 100,000,000. Omitted: 1,000,000.",
  })
  @IsOptional()
  costPerWindow?: number | null;

  @Field(() => Date, { nullable: true, description: 'When it stops working: in the future, at most 3 years ahead. Omitted: never.' })
  @IsOptional()
  expiresAt?: Date | null;
}

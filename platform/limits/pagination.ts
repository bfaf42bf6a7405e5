import { Max, Min } from 'class-validator';
import { ArgsType, Field, Int } from 'type-graphql';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './page-size';

/** The sentence every paginated field's description ends with, so clients read the same rule everywhere. */
export const PAGE_DESCRIPTION = `${DEFAULT_PAGE_SIZE} at a time unless \`first\` says otherwise (at most ${MAX_PAGE_SIZE}); \`offset\` skips that many.`;

/** `first` and `offset` of a list field that can grow (Organization.members, roles, whoCan, …). */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: `How many to return, at most ${MAX_PAGE_SIZE}.` })
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first: number;

  @Field(() => Int, { defaultValue: 0, description: 'How many to skip, from the start of the list.' })
  @Min(0)
  offset: number;
}

/** One page of `items`, in their order. */
export function page<T>(items: readonly T[], { first, offset }: PageArgs): T[] {
  return items.slice(offset, offset + first);
}

import { Max, Min } from 'class-validator';
import { ArgsType, Field, Int } from 'type-graphql';

/** What a list field that can grow returns when the client does not say `first`. */
export const DEFAULT_PAGE_SIZE = 50;
/** The most a list field that can grow returns at once; more is BAD_USER_INPUT on `first`. */
export const MAX_PAGE_SIZE = 100;
/** What the cost estimate assumes for a list of objects with no page size argument (`plans`). */
export const UNPAGED_LIST_SIZE = 10;

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

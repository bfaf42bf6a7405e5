/** What a list field that can grow returns when the client does not say `first`. */
export const DEFAULT_PAGE_SIZE = 50;
/** The most a list field that can grow returns at once; more is BAD_USER_INPUT on `first`. */
export const MAX_PAGE_SIZE = 100;
/** What the cost estimate assumes for a list of objects with no page size argument (`plans`). */
export const UNPAGED_LIST_SIZE = 10;

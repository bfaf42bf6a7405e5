import { ApolloArmor } from '@escape.tech/graphql-armor';
import type { ValidationContext, ValidationRule } from 'graphql';
import type { DocumentLimits } from '../config';
import { QueryTooComplexError } from '../errors';
import type { QueryLimit } from '../errors';
import { costLimitRule } from './cost-rule';
import { rootFieldsLimitRule } from './root-fields-rule';

/**
 * The validation rules that hold a document to `limits`: depth, aliases and directives as
 * graphql-armor counts them, root fields and cost as this folder does. They run with
 * graphql's own rules, before the gateway plans a document and before a subgraph executes
 * one, over HTTP and WebSocket alike. Over a limit: QUERY_TOO_COMPLEX naming it.
 *
 * graphql-armor measures and we judge: its rules run with no threshold of their own and
 * report each count to `onAccept`, so the error names the limit and the count in our words.
 * Depth ignores fragments (a field inside `... on T { }` is as deep as beside it) and
 * `__schema` (the explorer's introspection); every alias counts, `__typename` ones included.
 */
export function documentLimitRules(limits: DocumentLimits): ValidationRule[] {
  const judge =
    (limit: QueryLimit, max: number) =>
    (context: ValidationContext | null, details: { n: number }): void => {
      if (context && details.n > max) context.reportError(new QueryTooComplexError(limit, details.n, max));
    };
  const measure = { n: Number.POSITIVE_INFINITY, propagateOnRejection: false };
  const { validationRules } = new ApolloArmor({
    maxDepth: { ...measure, flattenFragments: true, ignoreIntrospection: true, onAccept: [judge('depth', limits.depth)] },
    maxAliases: { ...measure, allowList: [], onAccept: [judge('aliases', limits.aliases)] },
    maxDirectives: { ...measure, onAccept: [judge('directives', limits.directives)] },
    costLimit: { enabled: false },
    maxTokens: { enabled: false },
    blockFieldSuggestion: { enabled: false },
  }).protect();
  return [rootFieldsLimitRule(limits.rootFields), ...validationRules, costLimitRule(limits.cost)];
}

import { Kind } from 'graphql';
import type { ASTVisitor, OperationDefinitionNode, SelectionSetNode, ValidationContext, ValidationRule } from 'graphql';
import { QueryTooComplexError } from '../errors';

/**
 * At most `maxRootFields` fields at the top of an operation (aliases and fragments included,
 * `__typename` too): each root field is its own resolver tree, and often its own subgraph fetch.
 * graphql-armor has no such limit.
 */
export function rootFieldsLimitRule(maxRootFields: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(operation: OperationDefinitionNode) {
      const seen = new Set<string>();
      const count = (selectionSet: SelectionSetNode): number => {
        let total = 0;
        for (const selection of selectionSet.selections) {
          if (selection.kind === Kind.FIELD) total += 1;
          else if (selection.kind === Kind.INLINE_FRAGMENT) total += count(selection.selectionSet);
          else if (!seen.has(selection.name.value)) {
            // A fragment spread twice at the root selects the same fields twice over: same response keys, counted once.
            seen.add(selection.name.value);
            const fragment = context.getFragment(selection.name.value);
            if (fragment) total += count(fragment.selectionSet);
          }
        }
        return total;
      };
      const found = count(operation.selectionSet);
      if (found > maxRootFields) context.reportError(new QueryTooComplexError('rootFields', found, maxRootFields));
    },
  });
}

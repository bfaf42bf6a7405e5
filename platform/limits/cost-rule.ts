import { Kind, getNamedType, getNullableType, isCompositeType, isListType, isObjectType, isInterfaceType } from 'graphql';
import type {
  ASTVisitor,
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLField,
  GraphQLNamedType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
  ValidationContext,
  ValidationRule,
} from 'graphql';
import { QueryTooComplexError } from '../errors';
import { MAX_PAGE_SIZE, UNPAGED_LIST_SIZE } from './page-size';

/** The arguments that say how many items a list field returns. */
const PAGE_SIZE_ARGUMENTS = ['first', 'limit'];

/**
 * The estimated cost of an operation: every field counts 1, and a list of objects counts its
 * page size times (1 + what is selected inside it), so nested lists multiply. The page size
 * is `first`/`limit` as written, the largest page (`MAX_PAGE_SIZE`) when it is a variable,
 * the argument's default when it is left out, and `UNPAGED_LIST_SIZE` for a list with no
 * such argument.
 *
 * `__typename` and introspection cost nothing, and `_entities` counts once: the number of
 * representations has its own cap (SUBGRAPH_MAX_REPRESENTATIONS). With those rules, a fetch
 * the gateway plans never costs more than the part of the client's document it came from
 * (each key field it adds stands in for at least one field moved to another subgraph), so a
 * subgraph applying the same limit admits every fetch of a document the gateway admitted.
 *
 * graphql-armor's cost limit does not know which fields are lists (it reads no schema), so
 * this rule walks the document with the schema's types.
 */
export function costLimitRule(maxCost: number): ValidationRule {
  return (context: ValidationContext): ASTVisitor => {
    const costOf = costCalculator(context.getSchema(), (name) => context.getFragment(name) ?? undefined);
    return {
      OperationDefinition(operation: OperationDefinitionNode) {
        const cost = costOf(operation);
        if (cost > maxCost) context.reportError(new QueryTooComplexError('cost', Math.round(cost), maxCost));
      },
    };
  };
}

/**
 * The cost of one operation of a document that validated, as `costLimitRule` counts it: what
 * an API key's cost budget is charged per call (platform/rate-limit.ts).
 */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): number {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return Math.round(costCalculator(schema, (name) => fragments.get(name))(operation));
}

function costCalculator(
  schema: GraphQLSchema,
  getFragment: (name: string) => FragmentDefinitionNode | undefined,
): (operation: OperationDefinitionNode) => number {
  // A fragment costs the same wherever it is spread: computed once per document.
  const fragmentCosts = new Map<string, number>();
  const inProgress = new Set<string>();

  const selectionSetCost = (selectionSet: SelectionSetNode, parentType: GraphQLNamedType | undefined): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        total += fieldCost(selection, parentType);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
        total += selectionSetCost(selection.selectionSet, type ?? undefined);
      } else {
        const name = selection.name.value;
        const known = fragmentCosts.get(name);
        if (known !== undefined) {
          total += known;
          continue;
        }
        const fragment = getFragment(name);
        // A cycle or an unknown fragment is reported by graphql's own rules.
        if (!fragment || inProgress.has(name)) continue;
        inProgress.add(name);
        const cost = selectionSetCost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? undefined);
        inProgress.delete(name);
        fragmentCosts.set(name, cost);
        total += cost;
      }
    }
    return total;
  };

  const fieldCost = (node: FieldNode, parentType: GraphQLNamedType | undefined): number => {
    const name = node.name.value;
    if (name.startsWith('__')) return 0;
    const field = parentType && (isObjectType(parentType) || isInterfaceType(parentType)) ? parentType.getFields()[name] : undefined;
    // An unknown field is reported by graphql's own rules; count it as a leaf meanwhile.
    if (!field) return 1;
    const type = getNamedType(field.type);
    const inner = node.selectionSet ? selectionSetCost(node.selectionSet, type) : 0;
    return multiplier(node, field) * (1 + inner);
  };

  return (operation) => selectionSetCost(operation.selectionSet, schema.getRootType(operation.operation) ?? undefined);
}

function multiplier(node: FieldNode, field: GraphQLField<unknown, unknown>): number {
  if (!isListType(getNullableType(field.type)) || !isCompositeType(getNamedType(field.type))) return 1;
  if (field.name === '_entities') return 1;
  const sizeArgument = field.args.find((argument) => PAGE_SIZE_ARGUMENTS.includes(argument.name));
  if (!sizeArgument) return UNPAGED_LIST_SIZE;
  const given = node.arguments?.find((argument) => argument.name.value === sizeArgument.name);
  if (!given) return typeof sizeArgument.defaultValue === 'number' ? sizeArgument.defaultValue : MAX_PAGE_SIZE;
  if (given.value.kind === Kind.INT) return Math.max(1, Number.parseInt(given.value.value, 10));
  // A variable (or anything else) can be up to the largest page the field serves.
  return MAX_PAGE_SIZE;
}

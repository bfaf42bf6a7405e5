import { Kind, parse } from 'graphql';
import type { DocumentNode, FragmentDefinitionNode, OperationDefinitionNode, SelectionSetNode } from 'graphql';

const ROOT_TYPE_NAMES = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' } as const;

/** `Query.health`, `Query.plans`, …: the root fields marked `@public` in the supergraph. */
export function publicRootFields(supergraphSdl: string): Set<string> {
  const fields = new Set<string>();
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    if (!Object.values(ROOT_TYPE_NAMES).includes(definition.name.value as never)) continue;
    for (const field of definition.fields ?? []) {
      if (field.directives?.some((directive) => directive.name.value === 'public'))
        fields.add(`${definition.name.value}.${field.name.value}`);
    }
  }
  return fields;
}

/**
 * The root fields an operation selects that are not public (`__typename` and, when
 * introspection is allowed, `__schema`/`__type` count as public).
 */
export function protectedRootFields(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  publicFields: Set<string>,
  introspection: boolean,
): string[] {
  const typeName = ROOT_TYPE_NAMES[operation.operation];
  const fragments = new Map(
    document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]),
  );
  const found = new Set<string>();
  // One visited set for the whole walk: a fragment contributes the same root fields wherever it
  // is spread, and walking it once per path would be exponential in nested spreads.
  const visited = new Set<string>();
  const visit = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const isPublic =
          name === '__typename' || (introspection && (name === '__schema' || name === '__type')) || publicFields.has(`${typeName}.${name}`);
        if (!isPublic) found.add(name);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        visit(selection.selectionSet);
      } else if (!visited.has(selection.name.value)) {
        visited.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  visit(operation.selectionSet);
  return [...found];
}

import {
  Kind,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  isScalarType,
  typeFromAST,
} from 'graphql';
import type {
  FragmentDefinitionNode,
  GraphQLInputType,
  GraphQLOutputType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import { BadUserInputError } from '../../platform/errors';
import type { RestRoute } from './route-table';

/**
 * How REST values and GraphQL values differ, in one place: names are snake_case in REST and
 * camelCase in GraphQL; enum values are lower case in REST (`monthly`, `pro`); a `Money`
 * is a number of US dollars in REST (`450.00`); query-string values are typed by the
 * variable they fill (`first=10` is an Int, `severities=warning,error` a list).
 */
export const snakeCase = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
export const camelCase = (name: string): string => name.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());

/** What a REST request carries, before it is typed. */
export interface RestRequestValues {
  pathParams: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
}

type Bag = Map<string, unknown>;

/** A query-string value: a list variable takes it comma-separated (`severities=warning,error`). */
class QueryString {
  constructor(readonly text: string) {}
}

/** The operation's variables from a REST request, checked against the variables' types; unknown names are refused, named as sent. */
export function restVariables(
  route: RestRoute,
  operation: OperationDefinitionNode,
  schema: GraphQLSchema,
  request: RestRequestValues,
  organizationId: string | undefined,
): Record<string, unknown> {
  const bag: Bag = new Map();
  const put = (name: string, value: unknown) => bag.set(route.renames?.[camelCase(name)] ?? camelCase(name), value);
  for (const [name, value] of Object.entries(request.body)) put(name, value);
  for (const name of new Set(request.query.keys())) {
    const values = request.query.getAll(name);
    put(name, values.length === 1 ? new QueryString(values[0]!) : values.map((value) => new QueryString(value)));
  }
  for (const [name, value] of Object.entries(request.pathParams)) put(name, value);
  for (const name of Object.keys(route.ignored ?? {})) bag.delete(name);

  const variables: Record<string, unknown> = {};
  const definitions = operation.variableDefinitions ?? [];
  for (const definition of definitions) {
    const name = definition.variable.name.value;
    if (name === route.rest) continue;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType | undefined;
    if (!type) continue;
    if (bag.has(name)) {
      variables[name] = coerce(type, bag.get(name), restName(route, name));
      bag.delete(name);
    } else if (name === 'organizationId' && organizationId) {
      variables[name] = organizationId;
    }
  }
  const restDefinition = definitions.find((definition) => definition.variable.name.value === route.rest);
  if (restDefinition) {
    const type = typeFromAST(schema, restDefinition.type) as GraphQLInputType;
    const values = Object.fromEntries(bag);
    if (route.restAsList) {
      variables[route.rest!] = coerce(type, [values], '');
    } else if (bag.size > 0 || isNonNullType(type)) {
      variables[route.rest!] = coerce(type, values, '', route);
    }
  } else if (bag.size > 0) {
    const [unknown] = bag.keys();
    throw new BadUserInputError(`Unknown field ${restName(route, unknown!)}`, restName(route, unknown!));
  }
  return variables;
}

/** The name a client sent for a GraphQL name (renamed back, snake_case). */
function restName(route: RestRoute, name: string): string {
  const original = Object.entries(route.renames ?? {}).find(([, to]) => to === name)?.[0] ?? name;
  return snakeCase(original);
}

function coerce(type: GraphQLInputType, value: unknown, field: string, route?: RestRoute): unknown {
  if (isNonNullType(type)) return coerce(type.ofType, value, field, route);
  if (value === null || value === undefined) return value;
  if (isListType(type)) {
    const items =
      value instanceof QueryString ? value.text.split(',').filter((item) => item !== '') : Array.isArray(value) ? value : [value];
    return items.map((item, index) => coerce(type.ofType, item, `${field}[${index}]`));
  }
  if (value instanceof QueryString) return coerce(type, value.text, field, route);
  if (isInputObjectType(type)) {
    if (typeof value !== 'object' || Array.isArray(value)) throw new BadUserInputError(`${field || 'The body'} must be an object`, field);
    const fields = type.getFields();
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      const name = camelCase(key);
      const path = field ? `${field}.${snakeCase(key)}` : route ? restName(route, name) : snakeCase(key);
      const inputField = fields[name];
      if (!inputField) throw new BadUserInputError(`Unknown field ${path}`, path);
      result[name] = coerce(inputField.type, item, path);
    }
    return result;
  }
  if (isEnumType(type) && typeof value === 'string') {
    const upper = value.toUpperCase();
    return type.getValue(upper) ? upper : value;
  }
  if (isScalarType(type) && typeof value === 'string') {
    if (type.name === 'Int' || type.name === 'Float') {
      const number = Number(value);
      return value.trim() !== '' && Number.isFinite(number) ? number : value;
    }
    if (type.name === 'Boolean') return value === 'true' ? true : value === 'false' ? false : value;
  }
  return value;
}

/** A GraphQL answer as REST shows it, walked along the operation's selections and the schema's types. */
export function restValue(
  value: unknown,
  selectionSet: SelectionSetNode | undefined,
  type: GraphQLOutputType,
  fragments: Map<string, FragmentDefinitionNode>,
): unknown {
  if (value === null || value === undefined) return null;
  if (isNonNullType(type)) return restValue(value, selectionSet, type.ofType, fragments);
  if (isListType(type)) return (value as unknown[]).map((item) => restValue(item, selectionSet, type.ofType, fragments));
  if (isEnumType(type)) return String(value).toLowerCase();
  if (isObjectType(type) && type.name === 'Money') return Number((value as { usd?: string }).usd);
  if ((isObjectType(type) || isInterfaceType(type)) && selectionSet) {
    const fields = type.getFields();
    const result: Record<string, unknown> = {};
    const walk = (set: SelectionSetNode) => {
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          const definition = fields[selection.name.value];
          result[snakeCase(key)] = definition
            ? restValue((value as Record<string, unknown>)[key], selection.selectionSet, definition.type, fragments)
            : (value as Record<string, unknown>)[key];
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          walk(selection.selectionSet);
        } else {
          const fragment = fragments.get(selection.name.value);
          if (fragment) walk(fragment.selectionSet);
        }
      }
    };
    walk(selectionSet);
    return result;
  }
  return value;
}

/** The type a field of the root answers, for `restValue`. */
export function rootFieldType(schema: GraphQLSchema, operation: OperationDefinitionNode, fieldName: string): GraphQLOutputType | undefined {
  const root = schema.getRootType(operation.operation);
  return root?.getFields()[fieldName]?.type;
}

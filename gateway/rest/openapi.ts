import { Kind, isEnumType, isInputObjectType, isInterfaceType, isListType, isNonNullType, isObjectType, parse, typeFromAST } from 'graphql';
import type {
  FragmentDefinitionNode,
  GraphQLInputType,
  GraphQLOutputType,
  GraphQLSchema,
  OperationDefinitionNode,
  SelectionSetNode,
} from 'graphql';
import type { OperationManifest } from '../../platform/operation-manifest';
import type { RestRoute } from './route-table';
import { camelCase, rootFieldType, snakeCase } from './rest-values';

type JsonSchema = Record<string, unknown>;

const SCALARS: Record<string, JsonSchema> = {
  String: { type: 'string' },
  ID: { type: 'string' },
  Int: { type: 'integer' },
  Float: { type: 'number' },
  Boolean: { type: 'boolean' },
  DateTimeISO: { type: 'string', format: 'date-time' },
  JSONObject: { type: 'object' },
};

const ERROR_BODY: JsonSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
    },
  },
};

const nullable = (schema: JsonSchema, required: boolean): JsonSchema => (required ? schema : { anyOf: [schema, { type: 'null' }] });

function inputSchema(type: GraphQLInputType, required = false): JsonSchema {
  if (isNonNullType(type)) return inputSchema(type.ofType, true);
  let schema: JsonSchema;
  if (isListType(type)) schema = { type: 'array', items: inputSchema(type.ofType) };
  else if (isEnumType(type)) schema = { type: 'string', enum: type.getValues().map((value) => value.name.toLowerCase()) };
  else if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields());
    schema = {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(
        fields.map((field) => [
          snakeCase(field.name),
          { ...inputSchema(field.type), ...(field.description ? { description: field.description } : {}) },
        ]),
      ),
      required: fields
        .filter((field) => isNonNullType(field.type) && field.defaultValue === undefined)
        .map((field) => snakeCase(field.name)),
    };
  } else schema = SCALARS[type.name] ?? { type: 'string' };
  return nullable(schema, required);
}

function outputSchema(
  type: GraphQLOutputType,
  selectionSet: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  required = false,
): JsonSchema {
  if (isNonNullType(type)) return outputSchema(type.ofType, selectionSet, fragments, true);
  let schema: JsonSchema;
  if (isListType(type)) schema = { type: 'array', items: outputSchema(type.ofType, selectionSet, fragments) };
  else if (isEnumType(type)) schema = { type: 'string', enum: type.getValues().map((value) => value.name.toLowerCase()) };
  else if (isObjectType(type) && type.name === 'Money') schema = { type: 'number', description: 'US dollars' };
  else if ((isObjectType(type) || isInterfaceType(type)) && selectionSet) {
    const fields = type.getFields();
    const properties: Record<string, JsonSchema> = {};
    const walk = (set: SelectionSetNode) => {
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) {
          const definition = fields[selection.name.value];
          if (!definition) continue;
          properties[snakeCase(selection.alias?.value ?? selection.name.value)] = outputSchema(
            definition.type,
            selection.selectionSet,
            fragments,
          );
        } else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
        else {
          const fragment = fragments.get(selection.name.value);
          if (fragment) walk(fragment.selectionSet);
        }
      }
    };
    walk(selectionSet);
    schema = { type: 'object', properties };
  } else schema = SCALARS[type.name] ?? { type: 'string' };
  return nullable(schema, required);
}

/** The REST shim's OpenAPI 3.1 document, from its route table and the manifest's operations. */
export function buildOpenApi(routes: readonly RestRoute[], manifest: OperationManifest, schema: GraphQLSchema): JsonSchema {
  const byName = new Map(manifest.operations.map((operation) => [operation.name, operation]));
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const pathParams = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
    const method = route.method.toLowerCase();
    const operationId = route.operation;
    const errors = { description: 'An error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    const entry: JsonSchema = { operationId, summary: route.summary, security: [{ bearer: [] }] };
    const parameters: JsonSchema[] = pathParams.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    const manifestOperation = byName.get(route.operation);
    if (!manifestOperation)
      throw new Error(`REST route ${route.method} ${route.path}: operation ${route.operation} is not in the manifest`);
    const document = parse(manifestOperation.body);
    const fragments = new Map<string, FragmentDefinitionNode>();
    let operation: OperationDefinitionNode | undefined;
    for (const node of document.definitions) {
      if (node.kind === Kind.FRAGMENT_DEFINITION) fragments.set(node.name.value, node);
      if (node.kind === Kind.OPERATION_DEFINITION) operation = node;
    }
    // The request's fields: each variable (by its REST name), the `rest` variable's input fields in its place.
    const restOf = (name: string) => Object.entries(route.renames ?? {}).find(([, to]) => to === name)?.[0] ?? name;
    const fields: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const definition of operation!.variableDefinitions ?? []) {
      const name = definition.variable.name.value;
      const type = typeFromAST(schema, definition.type) as GraphQLInputType;
      if (name === route.rest && !route.restAsList) {
        const object = inputSchema(type, true) as { properties?: Record<string, JsonSchema>; required?: string[] };
        for (const [field, fieldSchema] of Object.entries(object.properties ?? {}))
          fields[snakeCase(restOf(camelCase(field)))] = fieldSchema;
        required.push(...(object.required ?? []).map((field) => snakeCase(restOf(camelCase(field)))));
        continue;
      }
      if (name === route.rest) {
        const list = inputSchema(type, true) as { items?: { properties?: Record<string, JsonSchema>; required?: string[] } };
        Object.assign(fields, list.items?.properties ?? {});
        required.push(...(list.items?.required ?? []));
        continue;
      }
      const restName = snakeCase(restOf(name));
      if (pathParams.includes(restOf(name))) continue;
      fields[restName] = inputSchema(type);
      const isRequired = isNonNullType(type) && !definition.defaultValue && name !== 'organizationId';
      if (isRequired) required.push(restName);
    }
    for (const [name, reason] of Object.entries(route.ignored ?? {}))
      fields[snakeCase(name)] = { description: `Accepted and not used. ${reason}` };
    if (route.method === 'GET' || route.method === 'DELETE') {
      for (const [name, fieldSchema] of Object.entries(fields)) {
        parameters.push({ name, in: 'query', required: required.includes(name), schema: fieldSchema });
      }
    } else {
      entry.requestBody = {
        required: required.length > 0,
        content: { 'application/json': { schema: { type: 'object', properties: fields, required, additionalProperties: false } } },
      };
    }
    const [root] = operation!.selectionSet.selections;
    const rootType = root?.kind === Kind.FIELD ? rootFieldType(schema, operation!, root.name.value) : undefined;
    let answer = rootType && root?.kind === Kind.FIELD ? outputSchema(rootType, root.selectionSet, fragments, true) : {};
    if (route.answer === 'first') answer = (answer as { items?: JsonSchema }).items ?? answer;
    paths[route.path] = {
      ...paths[route.path],
      [method]: {
        ...entry,
        description: `Runs the GraphQL operation \`${manifestOperation.name}\` (manifest id ${manifestOperation.id}).`,
        parameters,
        responses: {
          [String(route.status ?? 200)]: { description: 'Success', content: { 'application/json': { schema: answer } } },
          default: errors,
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'AuraLink REST API',
      version: '1',
      description:
        'The seed endpoints, each served by one operation of the GraphQL supergraph. Names are snake_case, enum values lower case, money in US dollars. An absent organization_id is the token’s organization.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A session token or an API key (ak_live_…)' } },
      schemas: { Error: ERROR_BODY },
    },
    paths,
  };
}

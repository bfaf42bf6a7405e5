import { GraphQLScalarType, Kind } from 'graphql';
import type { ValueNode } from 'graphql';
import { BadUserInputError } from '../../../platform/errors';

function literal(node: ValueNode): unknown {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
    case Kind.ENUM:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(literal);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((field) => [field.name.value, literal(field.value)]));
    case Kind.VARIABLE:
      throw new BadUserInputError('JSONObject: variables are not allowed inside a literal object');
  }
}

function object(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new BadUserInputError('JSONObject: expected a JSON object');
  return value as Record<string, unknown>;
}

/** A JSON object (request and response summaries, changes, metadata). */
export const JSONObjectScalar = new GraphQLScalarType({
  name: 'JSONObject',
  description: 'A JSON object.',
  serialize: (value) => value,
  parseValue: object,
  parseLiteral: (node) => object(literal(node)),
});

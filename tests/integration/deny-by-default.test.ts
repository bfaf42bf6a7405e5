import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema } from 'graphql';
import { SUPERGRAPH_PATH } from '../../gateway/schema-paths';
import { ACCESS_DIRECTIVE_DEFINITIONS, rootFieldsWithoutAccessRule } from '../../platform/access-directives';
import { isCataloguedPermission } from '../../platform/authorization/permissions';

const supergraphSdl = readFileSync(path.resolve(__dirname, '../..', SUPERGRAPH_PATH), 'utf8');

describe('deny by default', () => {
  it('finds a root field that carries neither @public nor @requiresPermission (fixture schema)', () => {
    const fixture = buildSchema(`${ACCESS_DIRECTIVE_DEFINITIONS}
      type Query {
        plans: [String!]! @public
        invoices: [String!]! @requiresPermission(resource: "billing", action: "read")
        forgotten: String
      }
      type Mutation { deleteEverything: Boolean }
      type Subscription { leaks: String @requiresPermission(resource: "analytics", action: "read") }
    `);
    expect(rootFieldsWithoutAccessRule(fixture)).toEqual(['Query.forgotten', 'Mutation.deleteEverything']);
  });

  it('every Query, Mutation and Subscription field of the composed supergraph declares its access', () => {
    const supergraph = buildSchema(supergraphSdl);
    expect(Object.keys(supergraph.getQueryType()!.getFields()).length).toBeGreaterThan(5);
    expect(rootFieldsWithoutAccessRule(supergraph)).toEqual([]);
  });

  it('every permission the supergraph asks for is in the catalogue, so some role can be given it', () => {
    const asked = [...supergraphSdl.matchAll(/@requiresPermission\(resource: "([^"]+)", action: "([^"]+)"\)/g)].map(
      ([, resource, action]) => `${resource}:${action}`,
    );
    expect(asked.length).toBeGreaterThan(10);
    expect(asked.filter((permission) => !isCataloguedPermission(...(permission.split(':') as [string, string])))).toEqual([]);
  });
});

import { Kind, parse } from 'graphql';
import type { OperationDefinitionNode } from 'graphql';
import { protectedRootFields, publicRootFields } from './public-fields';

const SDL = /* GraphQL */ `
  directive @public on FIELD_DEFINITION

  type Plan {
    code: String! @public
  }

  type Query {
    health: String @public
    plans: [Plan!]! @public
    me: String
    organization(id: ID!): String
  }

  extend type Query {
    status: String @public
  }

  type Mutation {
    signIn(email: String!): String @public
    createOrganization(name: String!): String
  }
`;

const publicFields = publicRootFields(SDL);

function protectedIn(source: string, introspection = false): string[] {
  const document = parse(source);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error('no operation in the test query');
  return protectedRootFields(document, operation, publicFields, introspection).sort();
}

describe('publicRootFields', () => {
  it('finds the @public fields of Query and Mutation, including type extensions', () => {
    expect([...publicFields].sort()).toEqual(['Mutation.signIn', 'Query.health', 'Query.plans', 'Query.status']);
  });

  it('ignores @public on fields of non-root types', () => {
    expect(publicFields.has('Plan.code')).toBe(false);
  });

  it('finds nothing when no field is marked', () => {
    expect(publicRootFields('type Query { me: String }').size).toBe(0);
  });
});

describe('protectedRootFields', () => {
  it('returns nothing when only public fields are selected', () => {
    expect(protectedIn('{ health plans { code } }')).toEqual([]);
  });

  it('returns the root fields that are not public', () => {
    expect(protectedIn('query { health me organization(id: "org_1") }')).toEqual(['me', 'organization']);
  });

  it('lists a protected field once even when selected under several aliases', () => {
    expect(protectedIn('{ a: me b: me }')).toEqual(['me']);
  });

  it('checks mutation fields against Mutation, not Query', () => {
    expect(protectedIn('mutation { signIn(email: "a@b.c") }')).toEqual([]);
    expect(protectedIn('mutation { createOrganization(name: "Acme") health }')).toEqual(['createOrganization', 'health']);
  });

  it('looks through inline fragments', () => {
    expect(protectedIn('{ health ... on Query { me } ... { organization(id: "org_1") } }')).toEqual(['me', 'organization']);
  });

  it('looks through named fragment spreads, however deep', () => {
    const source = `
      query { health ...Outer }
      fragment Outer on Query { plans { code } ...Inner }
      fragment Inner on Query { ... on Query { me } }
    `;
    expect(protectedIn(source)).toEqual(['me']);
  });

  it('stops at a fragment that spreads itself indirectly', () => {
    const source = `
      query { ...A }
      fragment A on Query { health ...B }
      fragment B on Query { me ...C }
      fragment C on Query { organization(id: "org_1") ...A }
    `;
    expect(protectedIn(source)).toEqual(['me', 'organization']);
  });

  it('stops at a fragment that spreads itself directly', () => {
    expect(protectedIn('query { ...A } fragment A on Query { me ...A }')).toEqual(['me']);
  });

  it('ignores a spread of an unknown fragment', () => {
    expect(protectedIn('query { health ...Missing }')).toEqual([]);
  });

  it('treats __typename as public', () => {
    expect(protectedIn('{ __typename }')).toEqual([]);
    expect(protectedIn('{ __typename }', true)).toEqual([]);
  });

  it('treats __schema and __type as public only when introspection is allowed', () => {
    const source = '{ __schema { queryType { name } } __type(name: "Query") { name } }';

    expect(protectedIn(source, true)).toEqual([]);
    expect(protectedIn(source, false)).toEqual(['__schema', '__type']);
  });

  it('walks each fragment once, so nested spreads cannot blow up the check', () => {
    // 40 fragments, each spreading the next three times: 3^40 paths if walked per path.
    const depth = 40;
    const fragments = Array.from({ length: depth }, (_, i) =>
      i === depth - 1 ? `fragment F${i} on Query { me }` : `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} ...F${i + 1} }`,
    );
    expect(protectedIn(`query { health ...F0 } ${fragments.join(' ')}`)).toEqual(['me']);
  });
});

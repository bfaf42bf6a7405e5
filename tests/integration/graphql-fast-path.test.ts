import { request } from 'node:http';
import type { SeededOrganization } from '../kit/seed';
import { gatewayCredential, startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

let supergraph: TestSupergraph;
let acme: SeededOrganization;

beforeAll(async () => {
  supergraph = await startTestSupergraph();
  acme = await supergraph.seed.org({ name: 'Acme' }).withMember().create();
});
afterAll(async () => {
  await supergraph?.stop();
});

interface Answer {
  status: number;
  headers: Record<string, string | undefined>;
  body: string;
}

/** A raw HTTP POST, so the exact body and headers are what the test says. */
function post(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-length': String(Buffer.byteLength(body)), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        // Every header but the clock.
        const { date: _date, ...headers } = res.headers;
        resolve({
          status: res.statusCode ?? 0,
          headers: headers as Record<string, string | undefined>,
          body: Buffer.concat(chunks).toString('utf8'),
        });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const json = { 'content-type': 'application/json' };

type Case = [string, () => { body: string; headers: Record<string, string> }];

/**
 * `POST /graphql` takes the fast path (platform/graphql-http.ts), at the gateway and in every
 * subgraph; `POST /graphql/` is served by Express as before. Whatever the request, both must
 * answer alike: status, headers and body.
 */
describe('the fast path answers exactly as the Express path', () => {
  const common: Case[] = [
    ['a query with a token', () => ({ body: JSON.stringify({ query: '{ me { id email } }' }), headers: bearer() })],
    ['a protected field without a token', () => ({ body: JSON.stringify({ query: '{ me { id } }' }), headers: json })],
    ['a public field without a token', () => ({ body: JSON.stringify({ query: '{ health { identity { status } } }' }), headers: json })],
    ['a bad token', () => ({ body: JSON.stringify({ query: '{ me { id } }' }), headers: { ...json, authorization: 'Bearer nope' } })],
    ['a query that does not match the schema', () => ({ body: JSON.stringify({ query: '{ me { nam } }' }), headers: bearer() })],
    ['a query that does not parse', () => ({ body: JSON.stringify({ query: '{ me { ' }), headers: bearer() })],
    ['a body that is not JSON', () => ({ body: '{"query": ', headers: json })],
    ['a JSON string instead of an object', () => ({ body: '"{ me { id } }"', headers: json })],
    ['leading blanks before the object', () => ({ body: ` \n\t${JSON.stringify({ query: '{ plans { code } }' })}`, headers: json })],
    ['an empty body', () => ({ body: '', headers: json })],
    ['a batch (an array)', () => ({ body: JSON.stringify([{ query: '{ plans { code } }' }]), headers: json })],
    ['no query', () => ({ body: JSON.stringify({ variables: {} }), headers: json })],
    [
      'a charset in the content type',
      () => ({ body: JSON.stringify({ query: '{ plans { code } }' }), headers: { 'content-type': 'application/json; charset=utf-8' } }),
    ],
    [
      'query text over the size limit',
      () => ({ body: JSON.stringify({ query: `{ plans { code } }${' '.repeat(70 * 1024)}` }), headers: json }),
    ],
    ['a query over the token limit', () => ({ body: JSON.stringify({ query: `{ ${'__typename '.repeat(3000)}}` }), headers: json })],
    [
      'a query over the depth limit',
      () => ({
        body: JSON.stringify({ query: `{ me { ${'memberships { organization { '.repeat(5)}id${' } }'.repeat(5)} } }` }),
        headers: bearer(),
      }),
    ],
    [
      'a field that fails, beside one that answers',
      () => ({
        body: JSON.stringify({ query: '{ me { id } organization(id: "org_00000000000000000000000000") { id } }' }),
        headers: bearer(),
      }),
    ],
    [
      'variables that do not fit the operation',
      () => ({ body: JSON.stringify({ query: 'query O($id: ID!) { organization(id: $id) { id } }', variables: {} }), headers: bearer() }),
    ],
    [
      'a named operation among two',
      () => ({
        body: JSON.stringify({ query: 'query A { me { id } } query B { me { email } }', operationName: 'B' }),
        headers: bearer(),
      }),
    ],
    [
      'a mutation with bad input',
      () => ({ body: JSON.stringify({ query: 'mutation { removeMember(id: "x") { id } }' }), headers: bearer() }),
    ],
  ];

  const gatewayOnly: Case[] = [
    [
      'a cross-subgraph query with variables',
      () => ({
        body: JSON.stringify({
          query: 'query O($id: ID!) { organization(id: $id) { name subscription { plan { code } } } }',
          variables: { id: acme.organization.id },
        }),
        headers: bearer(),
      }),
    ],
  ];
  const entities = () =>
    JSON.stringify({
      query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Organization { name } } }',
      variables: { r: [{ __typename: 'Organization', id: acme.organization.id }] },
    });
  const subgraphOnly: Case[] = [
    [
      '_entities with the gateway credential',
      () => ({ body: entities(), headers: { ...bearer(), ...gatewayCredential(supergraph.config) } }),
    ],
    ['_entities without it', () => ({ body: entities(), headers: bearer() })],
  ];

  describe.each([
    ['the gateway', () => supergraph.gatewayUrl, [...common, ...gatewayOnly]],
    ['a subgraph (identity)', () => supergraph.subgraphUrls.identity, [...common, ...subgraphOnly]],
  ] as [string, () => string, Case[]][])('%s', (_target, url, cases) => {
    it.each(cases)('%s', async (_name, make) => {
      const { body, headers } = make();
      // Twice: a subgraph answers a document it has seen validate without Apollo Server's pipeline.
      const first = await post(url(), body, headers);
      const again = await post(url(), body, headers);
      const express = await post(`${url()}/`, body, headers);

      expect(first).toEqual(express);
      expect(again).toEqual(express);
    });
  });
});

function bearer(): Record<string, string> {
  return { ...json, authorization: `Bearer ${acme.owner.token}` };
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema } from 'graphql';
import { SUPERGRAPH_PATH } from '../../gateway/schema-paths';
import { PERSONAL_DATA_DIRECTIVE_DEFINITIONS, isPersonalDataCategory } from '../../platform/personal-data/personal-data-directive';
import { subgraphsWithoutContract, unmarkedPersonalFields } from '../../platform/personal-data/personal-data-fields';

const supergraphSdl = readFileSync(path.resolve(__dirname, '../..', SUPERGRAPH_PATH), 'utf8');

/** Fields whose names look personal but name a thing, not a person. */
const NOT_PERSONAL = new Set([
  'Organization.name',
  'Plan.name',
  'Role.name',
  'Report.name',
  'ApiKey.name',
  'SsoConfig.providerName',
  'DataSubjectErasure.note',
  'ComplianceReport.organizationName',
]);

describe('personal data is declared in the schema', () => {
  it('finds a field that looks personal and carries no @personalData (fixture schema)', () => {
    const fixture = buildSchema(`${PERSONAL_DATA_DIRECTIVE_DEFINITIONS}
      type Query { me: Person, team: Team }
      type Person { email: String @personalData(category: "contact"), displayName: String, ipAddress: String, plan: String }
      type Team { name: String }
    `);
    expect(unmarkedPersonalFields(fixture, new Set(['Team.name']))).toEqual(['Person.displayName', 'Person.ipAddress']);
  });

  it('every field of the composed supergraph that looks personal carries @personalData', () => {
    expect(unmarkedPersonalFields(buildSchema(supergraphSdl), NOT_PERSONAL)).toEqual([]);
  });

  it('names only the directive’s categories, and marks the fields the platform knows to be personal', () => {
    const marked = [...supergraphSdl.matchAll(/^\s+(\w+)[^\n]*@personalData\(category: "([^"]+)"\)/gm)];
    expect(marked.filter(([, , category]) => !isPersonalDataCategory(category!))).toEqual([]);
    const fields = new Set(marked.map(([, field]) => field));
    for (const field of ['email', 'name', 'displayName', 'ip', 'userAgent', 'participants', 'request', 'changes']) {
      expect(fields).toContain(field);
    }
  });

  it('finds a subgraph that holds personal data and does not answer the data-subject contract (fixture supergraph)', () => {
    const fixture = buildSchema(`${PERSONAL_DATA_DIRECTIVE_DEFINITIONS}
      enum join__Graph { PEOPLE, CALLS, PLANS }
      directive @join__type(graph: join__Graph!) repeatable on OBJECT
      directive @join__field(graph: join__Graph) repeatable on FIELD_DEFINITION
      type Query @join__type(graph: PEOPLE) @join__type(graph: CALLS) {
        _peopleDataSubjectExport: String @join__field(graph: PEOPLE)
        _callsDataSubjectExport: String @join__field(graph: CALLS)
      }
      type Mutation @join__type(graph: PEOPLE) { _peopleDataSubjectErase: String @join__field(graph: PEOPLE) }
      type Person @join__type(graph: PEOPLE) @join__type(graph: CALLS) {
        email: String @join__field(graph: PEOPLE) @personalData(category: "contact")
        calls: [Call] @join__field(graph: CALLS)
      }
      type Call @join__type(graph: CALLS) { participants: [String] @personalData(category: "communications") }
      type Plan @join__type(graph: PLANS) { code: String }
    `);
    expect(subgraphsWithoutContract(fixture)).toEqual(['calls']);
  });

  it('every subgraph with @personalData fields answers the data-subject contract, for the service token only', () => {
    const supergraph = buildSchema(supergraphSdl);
    expect(subgraphsWithoutContract(supergraph)).toEqual([]);
    const contract = Object.keys(supergraph.getQueryType()!.getFields()).filter((name) => /DataSubjectExport$/.test(name));
    expect(contract.sort()).toEqual([
      '_analyticsDataSubjectExport',
      '_auditDataSubjectExport',
      '_complianceDataSubjectExport',
      '_identityDataSubjectExport',
    ]);
  });
});

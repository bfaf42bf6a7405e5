import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema } from 'graphql';
import { SUPERGRAPH_PATH } from '../../gateway/schema-paths';
import { PERSONAL_DATA_DIRECTIVE_DEFINITIONS, isPersonalDataCategory } from '../../platform/personal-data/personal-data-directive';
import { unmarkedPersonalFields } from '../../platform/personal-data/personal-data-fields';

const supergraphSdl = readFileSync(path.resolve(__dirname, '../..', SUPERGRAPH_PATH), 'utf8');

/** Fields whose names look personal but name a thing, not a person. */
const NOT_PERSONAL = new Set([
  'Organization.name',
  'Plan.name',
  'Role.name',
  'Report.name',
  'ApiKey.name',
  'SsoConfig.providerName',
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
});

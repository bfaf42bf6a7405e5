/**
 * The data every scenario runs on: a database created for the run, migrated, and filled
 * with COPY (organizations, users, members, and each member's owner role when the authz
 * policy table exists). Tokens are signed here with a key stored the way identity stores
 * its own, so identity publishes it and every subgraph accepts the tokens.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { SignJWT, exportJWK, exportPKCS8, generateKeyPair } from 'jose';
import { Client } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { SUBGRAPHS } from '../subgraphs';
import { SUBGRAPH_NAMES } from '../platform/config';
import { openDatabase } from '../platform/database';
import { withDatabase } from '../platform/database-url';
import { newId } from '../platform/ids';
import { SecretBox } from '../platform/secrets';
import { BENCH_AUTH, BENCH_DATABASE_URL } from './environment';

const OWNER_ROLE = 'role_owner';

export interface DataSize {
  organizations: number;
  membersPerOrganization: number;
  /** How many members get a token (requests rotate through them). */
  callers: number;
}

export interface Caller {
  userId: string;
  organizationId: string;
  token: string;
}

export interface BenchDatabase {
  url: string;
  name: string;
  /** The SECRETS_KEY the subgraphs must run with (identity opens its signing key with it). */
  secretsKey: string;
  callers: Caller[];
  rows: { organizations: number; users: number; members: number; roleAssignments: number };
  drop(): Promise<void>;
}

async function withClient<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/** Streams rows into `table` with COPY … FROM STDIN (text format: tab-separated, no escaping needed for our values). */
export async function copyRows(client: Client, table: string, columns: string[], rows: Iterable<string[]>): Promise<number> {
  let count = 0;
  const lines = (function* () {
    for (const row of rows) {
      count += 1;
      yield `${row.join('\t')}\n`;
    }
  })();
  await pipeline(Readable.from(lines), client.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`)));
  return count;
}

/** Every organization has `membersPerOrganization` members of its own (a token reads one organization only). */
export async function createBenchDatabase(size: DataSize): Promise<BenchDatabase> {
  const name = `auralink_bench_${process.pid}_${randomBytes(4).toString('hex')}`;
  await withClient(BENCH_DATABASE_URL, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = withDatabase(BENCH_DATABASE_URL, name);
  const drop = () =>
    withClient(BENCH_DATABASE_URL, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined);
  try {
    for (const subgraph of SUBGRAPH_NAMES) {
      const dataSource = await openDatabase(SUBGRAPHS[subgraph].storage, {
        url,
        poolMax: 1,
        applicationName: 'bench-setup',
        migrate: true,
      });
      await dataSource.destroy();
    }
    const secretsKey = randomBytes(32).toString('base64');
    const generated = await withClient(url, (client) => fill(client, size, secretsKey));
    return { url, name, secretsKey, ...generated, drop };
  } catch (error) {
    await drop();
    throw error;
  }
}

async function fill(client: Client, size: DataSize, secretsKey: string): Promise<Pick<BenchDatabase, 'callers' | 'rows'>> {
  const organizations = Array.from({ length: size.organizations }, (_, index) => ({
    id: newId('organization'),
    name: `Bench Org ${index}`,
    slug: `bench-org-${index}`,
  }));
  const users = organizations.flatMap((organization, o) =>
    Array.from({ length: size.membersPerOrganization }, (_, m) => ({
      id: newId('user'),
      email: `member-${o}-${m}@bench.example`,
      name: `Member ${o}.${m}`,
      home: organization.id,
    })),
  );
  const memberships = users.map((user) => ({ id: newId('member'), organizationId: user.home, userId: user.id }));

  await client.query('BEGIN');
  const rows = {
    organizations: await copyRows(
      client,
      'identity.organizations',
      ['id', 'name', 'slug'],
      organizations.map((o) => [o.id, o.name, o.slug]),
    ),
    users: await copyRows(
      client,
      'identity.users',
      ['id', 'email', 'name'],
      users.map((u) => [u.id, u.email, u.name]),
    ),
    members: await copyRows(
      client,
      'identity.organization_members',
      ['id', 'organization_id', 'user_id', 'status'],
      memberships.map((m) => [m.id, m.organizationId, m.userId, 'active']),
    ),
    roleAssignments: 0,
  };
  const { rows: policyTable } = await client.query<{ present: boolean }>("SELECT to_regclass('authz.casbin_rule') IS NOT NULL AS present");
  if (policyTable[0]?.present) {
    rows.roleAssignments = await copyRows(
      client,
      'authz.casbin_rule',
      ['ptype', 'v0', 'v1', 'v2'],
      memberships.map((m) => ['g', m.userId, OWNER_ROLE, m.organizationId]),
    );
  }
  // Authz's copy of the memberships, as identity's events would have made it (roles go to active members only).
  const { rows: projection } = await client.query<{ present: boolean }>("SELECT to_regclass('authz.memberships') IS NOT NULL AS present");
  if (projection[0]?.present) {
    await copyRows(
      client,
      'authz.memberships',
      ['organization_id', 'user_id', 'membership_id', 'status', 'source_sequence'],
      memberships.map((m) => [m.organizationId, m.userId, m.id, 'active', '0']),
    );
  }
  const key = await storeSigningKey(client, secretsKey);
  await client.query('COMMIT');
  await client.query('ANALYZE');

  // Callers spread over the organizations: user m of organization o, in their home organization.
  const chosen = Array.from({ length: Math.min(size.callers, users.length) }, (_, index) => users[(index * 7919) % users.length]!);
  const callers = await Promise.all(
    chosen.map(async (user) => ({ userId: user.id, organizationId: user.home, token: await key.sign(user.id, user.home) })),
  );
  return { callers, rows };
}

/** A signing key sealed as identity seals its own; being the newest, identity signs and publishes with it. */
async function storeSigningKey(client: Client, secretsKey: string) {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { extractable: true });
  const kid = newId('signingKey');
  await client.query('INSERT INTO identity.signing_keys (id, algorithm, public_jwk, private_key_sealed) VALUES ($1, $2, $3, $4)', [
    kid,
    'EdDSA',
    JSON.stringify(await exportJWK(publicKey)),
    new SecretBox(secretsKey).seal(await exportPKCS8(privateKey)),
  ]);
  return {
    sign: (userId: string, organizationId: string) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ org: organizationId })
        .setProtectedHeader({ alg: 'EdDSA', kid, typ: 'JWT' })
        .setSubject(userId)
        .setIssuer(BENCH_AUTH.issuer)
        .setAudience(BENCH_AUTH.audience)
        .setIssuedAt(now)
        .setExpirationTime(now + 6 * 3600)
        .setJti(randomUUID())
        .sign(privateKey);
    },
  };
}

/** Databases left by bench runs that were killed (their process is gone). */
export async function dropStaleBenchDatabases(isAlive: (pid: number) => boolean): Promise<void> {
  await withClient(BENCH_DATABASE_URL, async (client) => {
    const { rows } = await client.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname ~ '^auralink_bench_[0-9]+_'");
    for (const { datname } of rows) {
      const pid = Number(/^auralink_bench_(\d+)_/.exec(datname)?.[1]);
      if (!isAlive(pid)) await client.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
  });
}

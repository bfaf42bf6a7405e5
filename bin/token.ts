/**
 * Prints a session token. Needs the database the system runs on (with no DATABASE_URL:
 * the embedded one, so start the system first with `npm start`).
 *   npm run token                                   the demo organization's owner
 *   npm run token -- --user <id> --org <id> [--ttl <seconds>]
 * The token is alone on the last line: TOKEN=$(npm run -s token | tail -1)
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { embeddedDatabaseUrl } from '../runtime/embedded-postgres';
import { DEMO_ORGANIZATION_ID, DEMO_OWNER_ID } from '../runtime/demo-organization';
import { createIdentityServices, identitySubgraph } from '../subgraphs/identity';
import { Authorizer } from '../platform/authorization/authorizer';
import { DatabasePolicySource } from '../platform/authorization/policy-store';
import { InProcessPolicyWatcher } from '../platform/authorization/policy-watcher';
import { loadConfigOrExit } from '../platform/config';
import { createDataSource } from '../platform/database';
import { CodedError } from '../platform/errors';
import { parseId } from '../platform/ids';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { user: { type: 'string' }, org: { type: 'string' }, ttl: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write('usage: npm run token -- [--user <user id> --org <organization id>] [--ttl <seconds>]\n');
    return 0;
  }
  if ((values.user === undefined) !== (values.org === undefined)) {
    process.stderr.write('Give both --user and --org, or neither for the demo organization owner.\n');
    return 2;
  }
  const config = loadConfigOrExit();
  const userId = parseId('user', values.user ?? DEMO_OWNER_ID, '--user');
  const organizationId = parseId('organization', values.org ?? DEMO_ORGANIZATION_ID, '--org');
  const ttl = values.ttl === undefined ? config.auth.tokenTtlSeconds : Number(values.ttl);
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > 86_400) {
    process.stderr.write('--ttl must be a whole number of seconds from 1 to 86400.\n');
    return 2;
  }

  const url = config.database.url ?? embeddedDatabaseUrl(config.database.embeddedPort);
  const dataSource = createDataSource(identitySubgraph.storage, { url, poolMax: 1, applicationName: 'auralink-token' });
  try {
    await dataSource.initialize();
  } catch {
    process.stderr.write(
      config.database.url
        ? `Cannot reach the database at DATABASE_URL.\n`
        : `Cannot reach the embedded database on port ${config.database.embeddedPort}: start the system first with \`npm start\`.\n`,
    );
    return 1;
  }
  try {
    // Issuing a token reads no permissions: a policy cache of its own, told of no changes, is enough.
    const authorizer = new Authorizer({ source: new DatabasePolicySource(dataSource), watcher: new InProcessPolicyWatcher() });
    const services = createIdentityServices({ config, dataSource, access: { authorizer } });
    const { token, expiresAt } = await services.sessionTokens.issueSessionToken(userId, organizationId, ttl);
    process.stdout.write(`Session token for ${userId} in ${organizationId}, valid until ${expiresAt.toISOString()}:\n${token}\n`);
    return 0;
  } finally {
    await dataSource.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof CodedError || error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

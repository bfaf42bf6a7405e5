import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTokenVerifier } from '../../platform/auth/token-verifier';
import { createTestDatabase } from '../kit/database';
import type { TestDatabase } from '../kit/database';
import { openSeed } from '../kit/seed';
import { testConfig } from '../kit/supergraph';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

let database: TestDatabase;
afterAll(async () => {
  await database?.drop();
});

describe('npm run token', () => {
  it('prints a token for the user and organization asked for, alone on the last line, that verifies', async () => {
    database = await createTestDatabase();
    const secretsKey = testConfig().secretsKey!;
    const config = testConfig({ DATABASE_URL: database.url, SECRETS_KEY: secretsKey });
    const { seed, close } = await openSeed(config, database.url);
    try {
      const team = await seed.org().create();
      const env = { ...process.env, DATABASE_URL: database.url, SECRETS_KEY: secretsKey, LOG_LEVEL: 'silent' };
      const { stdout } = await run(
        'npx',
        ['ts-node', '--transpile-only', 'bin/token.ts', '--user', team.owner.user.id, '--org', team.organization.id],
        {
          cwd: ROOT,
          env,
        },
      );
      const token = stdout.trim().split('\n').at(-1)!;
      const verify = createTokenVerifier(config.auth, seed.identity.signingKeys.verificationKey);
      await expect(verify(token)).resolves.toMatchObject({ userId: team.owner.user.id, organizationId: team.organization.id });

      const refused = await run(
        'npx',
        ['ts-node', '--transpile-only', 'bin/token.ts', '--user', team.owner.user.id, '--org', 'org_elsewhere'],
        {
          cwd: ROOT,
          env,
        },
      ).catch((error: { code: number; stderr: string }) => error);
      expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('not an active member') });
    } finally {
      await close();
    }
  });
});

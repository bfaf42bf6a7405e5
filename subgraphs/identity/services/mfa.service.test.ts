import { Secret, TOTP } from 'otpauth';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { BadUserInputError, ConflictError, ForbiddenError } from '../../../platform/errors';
import { Outbox } from '../../../platform/outbox/outbox';
import { secretBoxFor } from '../../../platform/secrets';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { openSeed, principalFor } from '../../../tests/kit/seed';
import type { Seed } from '../../../tests/kit/seed';
import { testConfig } from '../../../tests/kit/supergraph';
import { identitySubgraph } from '../index';
import { MfaRequirement } from '../types/mfa-requirement.type';
import { MfaService, RECOVERY_CODE_COUNT } from './mfa.service';

let database: TestDatabase;
let seed: Seed;
let close: () => Promise<void>;
let dataSource: DataSource;
let mfa: MfaService;
/** The service's clock: tests move it to present codes of later 30-second steps. */
let clock = Date.now();

beforeAll(async () => {
  database = await createTestDatabase();
  const config = testConfig({ DATABASE_URL: database.url });
  ({ seed, close } = await openSeed(config, database.url));
  dataSource = await createDataSource(identitySubgraph.storage, {
    url: database.url,
    poolMax: 2,
    applicationName: 'test-mfa',
  }).initialize();
  mfa = new MfaService(dataSource, secretBoxFor(config), new Outbox(), seed.access.authorizer, 'AuraLink Test', () => clock);
});
afterAll(async () => {
  await dataSource?.destroy();
  await close?.();
  await database?.drop();
});

/** What the person's authenticator app shows at the service's current time. */
const codeOf = (secret: string, at = clock) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at });

async function enrolled() {
  const team = await seed.org().withMember({ role: 'role_admin' }).withMember().create();
  const person = team.members[1]!;
  const principal = principalFor(person.user.id, team.organization.id);
  const { secret } = await mfa.beginEnrollmentFor(principal);
  const recoveryCodes = await mfa.confirmEnrollmentFor(principal, codeOf(secret));
  return { team, person, principal, secret, recoveryCodes };
}

const changes = async (userId: string) =>
  (
    (await dataSource.query(
      "SELECT payload->>'change' AS change FROM identity.outbox WHERE type = 'identity.mfa.changed' AND payload->>'userId' = $1 ORDER BY sequence",
      [userId],
    )) as { change: string }[]
  ).map((row) => row.change);

describe('MfaService', () => {
  it('enrols with an otpauth:// URI, keeps the secret sealed, and turns on only with a valid first code', async () => {
    const team = await seed.org().withMember().create();
    const person = team.members[0]!;
    const principal = principalFor(person.user.id, team.organization.id);
    const enrollment = await mfa.beginEnrollmentFor(principal);
    const uri = new URL(enrollment.otpauthUri);
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe(`/AuraLink Test:${person.user.email}`);
    expect(Object.fromEntries(uri.searchParams)).toMatchObject({
      secret: enrollment.secret,
      issuer: 'AuraLink Test',
      digits: '6',
      period: '30',
    });
    // Asked again before confirming: the same secret, so a QR code scanned a moment ago still works.
    expect((await mfa.beginEnrollmentFor(principal)).secret).toBe(enrollment.secret);

    const [stored] = (await dataSource.query('SELECT secret_sealed FROM identity.user_mfa WHERE user_id = $1', [person.user.id])) as {
      secret_sealed: string;
    }[];
    expect(stored!.secret_sealed).toMatch(/^v1\./);
    expect(stored!.secret_sealed).not.toContain(enrollment.secret);
    expect((await mfa.status(person.user.id)).enabled).toBe(false);

    await expect(mfa.confirmEnrollmentFor(principal, '12345')).rejects.toThrow(/six digits/);
    const wrong = String((Number(codeOf(enrollment.secret)) + 1) % 1_000_000).padStart(6, '0');
    await expect(mfa.confirmEnrollmentFor(principal, wrong)).rejects.toMatchObject({ extensions: { field: 'mfaCode' } });

    const codes = await mfa.confirmEnrollmentFor(principal, codeOf(enrollment.secret));
    expect(codes).toHaveLength(RECOVERY_CODE_COUNT);
    expect(new Set(codes).size).toBe(RECOVERY_CODE_COUNT);
    for (const code of codes) expect(code).toMatch(/^[0-9a-z]{5}-[0-9a-z]{5}$/);
    expect(await mfa.status(person.user.id)).toMatchObject({ enabled: true, recoveryCodesLeft: 10 });
    const hashes = (await dataSource.query('SELECT code_hash FROM identity.mfa_recovery_codes WHERE user_id = $1', [person.user.id])) as {
      code_hash: string;
    }[];
    expect(hashes.map((row) => row.code_hash)).not.toContain(codes[0]);
    await expect(mfa.beginEnrollmentFor(principal)).rejects.toThrow(ConflictError);
    expect(await changes(person.user.id)).toEqual(['enabled']);
  });

  it('accepts a code once: the same code again within its window is refused, the next step’s is accepted', async () => {
    const { person, team, secret } = await enrolled();
    clock += 30_000;
    const code = codeOf(secret);
    expect(await mfa.verify(person.user.id, team.organization.id, { code })).toBe('totp');
    expect(await mfa.verify(person.user.id, team.organization.id, { code })).toBeNull();
    // A code of the step before, still within the window, is older than the one used: refused too.
    expect(await mfa.verify(person.user.id, team.organization.id, { code: codeOf(secret, clock - 30_000) })).toBeNull();
    clock += 30_000;
    expect(await mfa.verify(person.user.id, team.organization.id, { code: codeOf(secret) })).toBe('totp');
    // A code two steps old is outside the window.
    clock += 30_000;
    expect(await mfa.verify(person.user.id, team.organization.id, { code: codeOf(secret, clock - 90_000) })).toBeNull();
  });

  it('takes each recovery code once, in any case and with or without its dash; new ones replace the old', async () => {
    const { person, team, principal, secret, recoveryCodes } = await enrolled();
    const [first, second] = recoveryCodes as [string, string];
    expect(await mfa.verify(person.user.id, team.organization.id, { recoveryCode: first.toUpperCase() })).toBe('recovery_code');
    expect(await mfa.verify(person.user.id, team.organization.id, { recoveryCode: first })).toBeNull();
    expect(await mfa.verify(person.user.id, team.organization.id, { recoveryCode: second.replace('-', '') })).toBe('recovery_code');
    expect(await mfa.verify(person.user.id, team.organization.id, { recoveryCode: 'not-a-code' })).toBeNull();
    expect((await mfa.status(person.user.id)).recoveryCodesLeft).toBe(8);

    clock += 30_000;
    const fresh = await mfa.regenerateRecoveryCodes(principal, codeOf(secret));
    expect(fresh).toHaveLength(10);
    expect(await mfa.verify(person.user.id, team.organization.id, { recoveryCode: recoveryCodes[2]! })).toBeNull();
    expect(await mfa.verify(person.user.id, team.organization.id, { recoveryCode: fresh[0]! })).toBe('recovery_code');
    expect(await changes(person.user.id)).toEqual([
      'enabled',
      'recovery_code_used',
      'recovery_code_used',
      'recovery_codes_regenerated',
      'recovery_code_used',
    ]);
  });

  it('disables with a valid code only, and not while the organization requires it of the person', async () => {
    const { person, team, principal, secret, recoveryCodes } = await enrolled();
    const owner = principalFor(team.owner.user.id, team.organization.id);
    await expect(mfa.disable(principal, { code: '000000' })).rejects.toThrow(BadUserInputError);
    await mfa.setRequirement(owner, team.organization.id, MfaRequirement.EVERYONE);
    clock += 30_000;
    await expect(mfa.disable(principal, { code: codeOf(secret) })).rejects.toThrow(ForbiddenError);
    await mfa.setRequirement(owner, team.organization.id, MfaRequirement.ADMINS);
    expect(await mfa.disable(principal, { recoveryCode: recoveryCodes[0]! })).toEqual({
      enabled: false,
      enabledAt: null,
      recoveryCodesLeft: 0,
    });
    expect(await mfa.signInStep(person.user.id, team.organization.id)).toBe('none');
    expect((await changes(person.user.id)).at(-1)).toBe('disabled');
  });

  it('asks the sign-in of owners and admins to enrol when the organization requires it of admins, of everyone when of everyone', async () => {
    const team = await seed.org().withMember({ role: 'role_admin' }).withMember().create();
    const [admin, member] = team.members as [(typeof team.members)[0], (typeof team.members)[0]];
    const owner = principalFor(team.owner.user.id, team.organization.id);
    expect(await mfa.requirementOf(team.organization.id)).toBe(MfaRequirement.NONE);
    const steps = async () =>
      Promise.all([team.owner, admin, member].map((person) => mfa.signInStep(person.user.id, team.organization.id)));
    expect(await steps()).toEqual(['none', 'none', 'none']);
    await mfa.setRequirement(owner, team.organization.id, MfaRequirement.ADMINS);
    expect(await steps()).toEqual(['enroll', 'enroll', 'none']);
    await mfa.setRequirement(owner, team.organization.id, MfaRequirement.EVERYONE);
    expect(await steps()).toEqual(['enroll', 'enroll', 'enroll']);

    const { secret } = await mfa.beginEnrollmentFor(principalFor(member.user.id, team.organization.id));
    await mfa.confirmEnrollmentFor(principalFor(member.user.id, team.organization.id), codeOf(secret));
    expect(await steps()).toEqual(['enroll', 'enroll', 'verify']);

    const other = await seed.org().create();
    await expect(mfa.setRequirement(owner, other.organization.id, MfaRequirement.NONE)).rejects.toThrow(ForbiddenError);
    expect(await mfa.requirementOf(other.organization.id)).toBe(MfaRequirement.NONE);
  });

  it('refuses an API key acting for a person', async () => {
    const team = await seed.org().create();
    const principal = {
      ...principalFor(team.owner.user.id, team.organization.id),
      apiKey: { id: 'ak_x', name: 'k', permissions: null, operations: null },
    };
    await expect(mfa.beginEnrollmentFor(principal)).rejects.toThrow(ForbiddenError);
  });
});

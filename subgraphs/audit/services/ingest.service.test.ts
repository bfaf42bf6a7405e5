import type { DataSource } from 'typeorm';
import { createDataSource } from '../../../platform/database';
import { newId } from '../../../platform/ids';
import { createTestDatabase } from '../../../tests/kit/database';
import type { TestDatabase } from '../../../tests/kit/database';
import { testConfig } from '../../../tests/kit/supergraph';
import { auditSubgraph } from '..';
import { createAuditServices } from '.';
import type { AuditServices } from '.';
import type { AuditEventInput } from './audit-event';
import type { RecordedEvent } from './ingest.service';

let database: TestDatabase;
let dataSource: DataSource;
let services: AuditServices;

beforeAll(async () => {
  database = await createTestDatabase();
  dataSource = await createDataSource(auditSubgraph.storage, {
    url: database.url,
    poolMax: 8,
    applicationName: 'audit-group-commit-test',
  }).initialize();
  services = createAuditServices({ dataSource, config: testConfig() });
});
afterAll(async () => {
  await services?.securityEvents.settled();
  await dataSource?.destroy();
  await database?.drop();
});

function event(organizationId: string, overrides: Partial<AuditEventInput> = {}): AuditEventInput {
  return {
    id: newId('audit'),
    organizationId,
    actor: { type: 'system', id: 'group-commit-test', displayName: null },
    action: 'test.ingest.write',
    severity: 'info',
    outcome: 'success',
    targets: [],
    source: 'test',
    occurredAt: new Date(),
    ...overrides,
  };
}

type Settled = { batch: AuditEventInput[]; outcome: PromiseSettledResult<RecordedEvent[]> };

async function recordAll(batches: AuditEventInput[][]): Promise<Settled[]> {
  const outcomes = await Promise.allSettled(batches.map((batch) => services.ingest.record(batch)));
  return outcomes.map((outcome, index) => ({ batch: batches[index]!, outcome }));
}

async function storedIds(ids: string[]): Promise<Map<string, number>> {
  const rows = (await dataSource.query('SELECT id, count(*)::int AS copies FROM audit.events WHERE id = ANY($1) GROUP BY id', [ids])) as {
    id: string;
    copies: number;
  }[];
  return new Map(rows.map((row) => [row.id, row.copies]));
}

describe('group commit: concurrent writers of one process share transactions', () => {
  it('stores every acknowledged event exactly once, numbers each chain without gaps, and the chains verify', async () => {
    const organizations = Array.from({ length: 5 }, () => newId('organization'));
    const batches = Array.from({ length: 300 }, (_, index) =>
      Array.from({ length: 1 + (index % 3) }, () => event(organizations[index % organizations.length]!)),
    );
    // The same batches sent again while the first are in flight: each id is recorded once.
    const again = batches.slice(0, 40);
    const settled = await recordAll([...batches, ...again]);
    expect(settled.filter((s) => s.outcome.status === 'rejected')).toEqual([]);

    const all = batches.flat();
    const copies = await storedIds(all.map((e) => e.id!));
    expect(all.filter((e) => copies.get(e.id!) !== 1)).toEqual([]);
    // Each caller is told the sequence its own events got, duplicates with the first one's.
    const told = new Map<string, number>();
    for (const { batch, outcome } of settled) {
      const results = (outcome as PromiseFulfilledResult<RecordedEvent[]>).value;
      expect(results.map((r) => r.id)).toEqual(batch.map((e) => e.id));
      for (const result of results) {
        if (told.has(result.id)) expect(told.get(result.id)).toBe(result.sequence);
        told.set(result.id, result.sequence);
      }
    }
    const rows = (await dataSource.query('SELECT id, sequence FROM audit.events WHERE id = ANY($1)', [all.map((e) => e.id)])) as {
      id: string;
      sequence: string;
    }[];
    expect(rows.filter((row) => told.get(row.id) !== Number(row.sequence))).toEqual([]);

    for (const organizationId of organizations) {
      const expected = all.filter((e) => e.organizationId === organizationId).length;
      const sequences = (
        (await dataSource.query('SELECT sequence FROM audit.events WHERE organization_id = $1 ORDER BY sequence', [organizationId])) as {
          sequence: string;
        }[]
      ).map((row) => Number(row.sequence));
      expect(sequences).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
      expect(await services.verification.verify(organizationId, null, null)).toMatchObject({
        valid: true,
        checkedEvents: expected,
        problem: null,
      });
    }
    // A caller's batch stays contiguous in its organization's chain.
    for (const { outcome } of settled) {
      const sequences = (outcome as PromiseFulfilledResult<RecordedEvent[]>).value.map((r) => r.sequence);
      expect(sequences).toEqual(sequences.map((_, i) => sequences[0]! + i));
    }
  });

  it('an invalid event fails only its caller, before it joins a group', async () => {
    const organizationId = newId('organization');
    const batches = Array.from({ length: 30 }, () => [event(organizationId)]);
    batches[7] = [event(organizationId), event(organizationId, { action: 'Not An Action' })];
    const settled = await recordAll(batches);
    expect(settled[7]!.outcome).toMatchObject({
      status: 'rejected',
      reason: { extensions: { code: 'BAD_USER_INPUT', field: 'events.1.action' } },
    });
    expect(settled.filter((s, index) => index !== 7 && s.outcome.status !== 'fulfilled')).toEqual([]);
    const copies = await storedIds(batches.flat().map((e) => e.id!));
    expect(copies.size).toBe(29);
    expect(batches[7]!.some((e) => copies.has(e.id!))).toBe(false);
  });

  it('a caller whose event id another organization holds fails alone (CONFLICT on id); the callers grouped with it are recorded', async () => {
    const owner = newId('organization');
    const [taken] = await services.ingest.record([event(owner)]);
    const organizationId = newId('organization');
    const batches = Array.from({ length: 40 }, () => [event(organizationId)]);
    batches[5] = [event(organizationId), event(organizationId, { id: taken!.id })];
    const settled = await recordAll(batches);
    expect(settled[5]!.outcome).toMatchObject({ status: 'rejected', reason: { extensions: { code: 'CONFLICT', field: 'id' } } });
    expect(settled.filter((s, index) => index !== 5 && s.outcome.status !== 'fulfilled')).toEqual([]);
    const copies = await storedIds(batches.flat().map((e) => e.id!));
    expect(copies.size).toBe(39 + 1);
    expect(copies.has(batches[5]![0]!.id!)).toBe(false);
    expect(await services.verification.verify(organizationId, null, null)).toMatchObject({ valid: true, checkedEvents: 39 });
  });

  describe('with a database that refuses some rows', () => {
    const refusedAction = 'test.ingest.refused_value';
    const failingAction = 'test.ingest.database_fails';
    beforeAll(async () => {
      // One action refused as a bad value (SQLSTATE 22023), another failing the transaction as the database's own error (P0001).
      await dataSource.query(`
        CREATE FUNCTION audit.test_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.action = '${refusedAction}' THEN RAISE EXCEPTION 'refused value' USING ERRCODE = '22023'; END IF;
          IF NEW.action = '${failingAction}' THEN RAISE EXCEPTION 'database failure'; END IF;
          RETURN NEW;
        END $$`);
      await dataSource.query('CREATE TRIGGER test_refuse BEFORE INSERT ON audit.events FOR EACH ROW EXECUTE FUNCTION audit.test_refuse()');
    });
    afterAll(async () => {
      await dataSource.query('DROP TRIGGER test_refuse ON audit.events');
      await dataSource.query('DROP FUNCTION audit.test_refuse()');
    });

    it('a value PostgreSQL refuses fails only the caller that sent it: its group is written again caller by caller', async () => {
      const organizationId = newId('organization');
      const batches = Array.from({ length: 60 }, () => [event(organizationId)]);
      batches[3] = [event(organizationId), event(organizationId, { action: refusedAction })];
      const settled = await recordAll(batches);
      expect(settled[3]!.outcome).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: 'refused value' }) });
      expect(settled.filter((s, index) => index !== 3 && s.outcome.status !== 'fulfilled')).toEqual([]);
      const copies = await storedIds(batches.flat().map((e) => e.id!));
      expect(copies.size).toBe(59);
      expect(batches[3]!.some((e) => copies.has(e.id!))).toBe(false);
      expect(await services.verification.verify(organizationId, null, null)).toMatchObject({ valid: true, checkedEvents: 59 });
    });

    it('a transaction the database fails fails exactly the callers whose events it held: none acknowledged is lost, none failed is stored', async () => {
      const organizationId = newId('organization');
      const batches = Array.from({ length: 60 }, () => [event(organizationId)]);
      batches[31] = [event(organizationId, { action: failingAction })];
      const settled = await recordAll(batches);
      expect(settled[31]!.outcome).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: 'database failure' }) });
      const copies = await storedIds(batches.flat().map((e) => e.id!));
      const wrong = settled.filter(({ batch, outcome }) => (outcome.status === 'fulfilled') !== (copies.get(batch[0]!.id!) === 1));
      expect(wrong).toEqual([]);
      const acknowledged = settled.filter((s) => s.outcome.status === 'fulfilled').length;
      expect(acknowledged).toBeGreaterThan(0);
      expect(await services.verification.verify(organizationId, null, null)).toMatchObject({ valid: true, checkedEvents: acknowledged });
    });
  });
});

import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import { openDatabase } from '../../platform/database';
import { newId } from '../../platform/ids';
import { createLogger } from '../../platform/logger';
import { startEmbeddedPostgres } from '../../runtime/embedded-postgres';
import type { EmbeddedDatabase } from '../../runtime/embedded-postgres';
import { auditSubgraph, createAuditServices } from '../../subgraphs/audit';
import type { AuditServices } from '../../subgraphs/audit';
import { testConfig } from '../kit/supergraph';

/**
 * The machine's PostgreSQL is shared, so this test starts a private embedded one on a free
 * port and restarts that while writers ingest.
 */
const logger = createLogger('silent');
let dataDir: string;
let postgres: EmbeddedDatabase | undefined;
let dataSource: DataSource | undefined;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

afterAll(async () => {
  await dataSource?.destroy().catch(() => undefined);
  await postgres?.stop().catch(() => undefined);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ingest across a PostgreSQL restart', () => {
  it('loses no acknowledged event: every id a writer was told is recorded is there, and each chain verifies', async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'audit-restart-'));
    // The server runs as the postgres user, which must be able to enter the folder.
    chmodSync(dataDir, 0o755);
    const port = await freePort();
    postgres = await startEmbeddedPostgres(dataDir, port, logger);
    dataSource = await openDatabase(auditSubgraph.storage, {
      url: postgres.url,
      poolMax: 8,
      applicationName: 'audit-restart',
      migrate: true,
    });
    const services: AuditServices = createAuditServices({ dataSource, config: testConfig() });
    const organizations = [newId('organization'), newId('organization'), newId('organization')];

    const acknowledged = new Set<string>();
    let failures = 0;
    let stop = false;
    const writer = async (index: number) => {
      while (!stop) {
        const organizationId = organizations[index % organizations.length]!;
        const batch = Array.from({ length: 20 }, () => ({
          id: newId('audit'),
          organizationId,
          actor: { type: 'system' as const, id: 'restart-test' },
          action: 'test.ingest.write',
          severity: 'info' as const,
          outcome: 'success' as const,
          targets: [],
          source: 'test',
          occurredAt: new Date(),
        }));
        // Retry the same batch (same ids) until it is acknowledged: an in-doubt commit is then recognised, not doubled.
        for (;;) {
          try {
            await services.ingest.record(batch);
            for (const event of batch) acknowledged.add(event.id);
            break;
          } catch {
            failures += 1;
            if (stop) return;
            await sleep(50);
          }
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, index) => writer(index));
    // A second of writing, and at least one acknowledged batch (a busy machine may take longer).
    await sleep(1_000);
    while (acknowledged.size === 0) await sleep(100);
    const beforeRestart = acknowledged.size;
    await postgres.stop();
    await sleep(300);
    postgres = await startEmbeddedPostgres(dataDir, port, logger);
    await sleep(1_500);
    stop = true;
    await Promise.all(writers);

    expect(beforeRestart).toBeGreaterThan(0);
    expect(failures).toBeGreaterThan(0);
    expect(acknowledged.size).toBeGreaterThan(beforeRestart);
    const stored = new Set(
      ((await dataSource.query('SELECT id FROM audit.events WHERE id = ANY($1)', [[...acknowledged]])) as { id: string }[]).map(
        (row) => row.id,
      ),
    );
    expect([...acknowledged].filter((id) => !stored.has(id))).toEqual([]);
    for (const organizationId of organizations) {
      expect(await services.verification.verify(organizationId, null, null)).toMatchObject({ valid: true, problem: null });
    }
  });
});

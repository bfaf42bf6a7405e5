/**
 * A data-subject export of one person with a lot of data, end to end, on the stack as
 * production runs it: the subgraphs and our gateway as processes, and a job process
 * (bench/peers/job-server.ts) running `compliance.process-requests` as the worker would.
 *
 * One member gets 100,000 rows (1,000 with --smoke; BENCH_DSR_ROWS to change it) with COPY,
 * mostly audit events and analytics calls and AI usage, a few sessions and consents; another
 * member of the same organization gets as many again, so the subgraphs' queries must find the
 * person's rows among others'. Per format: `requestDataExport` through the gateway, the job's
 * run (every subgraph's pages through the gateway into the file's chunks), and the download
 * from the link, read as it streams. Peak resident memory of each process against what it
 * used before the run.
 */
import { Client } from 'pg';
import { newId } from '../../platform/ids';
import { isProcessAlive } from '../../platform/process-alive';
import { openDatabase } from '../../platform/database';
import { auditSubgraph, ensurePartitions } from '../../subgraphs/audit';
import { copyRows, createBenchDatabase, dropStaleBenchDatabases } from '../data';
import type { Scenario } from '../options';
import { watchRss } from '../processes';
import type { ServerProcess } from '../processes';
import type { Cell } from '../report';
import { buildProject, startGateway, startJobServer, startSubgraphs } from '../stack';

/** How a person's rows are spread over the subgraphs, as shares of the total (the rest: identity and compliance). */
const SHARES = { auditEvents: 0.62, callRecords: 0.2, recordings: 0.02, aiUsage: 0.157 };
const SESSIONS_PER_THOUSAND = 2;
const CONSENTS_PER_THOUSAND = 1;
const FORMATS = ['JSON', 'CSV', 'PDF'] as const;
type Format = (typeof FORMATS)[number];

function rowsWanted(given: string | undefined, smoke: boolean): number {
  if (smoke) return 1000;
  if (given === undefined || given === '') return 100_000;
  const rows = Number(given);
  if (!Number.isInteger(rows) || rows < 1000) throw new Error(`BENCH_DSR_ROWS: a whole number of rows, at least 1000, got "${given}"`);
  return rows;
}

function formatsWanted(given: string | undefined, smoke: boolean): Format[] {
  if (given === undefined || given === '') return smoke ? [...FORMATS] : ['JSON', 'CSV'];
  const chosen = given.split(',').map((format) => format.trim().toUpperCase());
  const unknown = chosen.find((format) => !(FORMATS as readonly string[]).includes(format));
  if (unknown) throw new Error(`BENCH_DSR_FORMATS: some of ${FORMATS.join(', ')}, got "${unknown}"`);
  return chosen as Format[];
}

interface Seeded {
  organizationId: string;
  rows: Record<string, number>;
}

/** One person's rows (and as many of someone else's) in every subgraph that holds personal data, with COPY. */
export async function seed(url: string, organizationId: string, subject: string, other: string, total: number): Promise<Seeded> {
  const audit = await openDatabase(auditSubgraph.storage, { url, poolMax: 1, applicationName: 'bench-dsr-setup' });
  const now = Date.now();
  const span = 30 * 86_400_000;
  try {
    await ensurePartitions(audit, new Date(now), new Date(now - span));
  } finally {
    await audit.destroy();
  }
  const client = new Client({ connectionString: url });
  await client.connect();
  const counts = {
    auditEvents: Math.round(total * SHARES.auditEvents),
    callRecords: Math.round(total * SHARES.callRecords),
    recordings: Math.round(total * SHARES.recordings),
    aiUsage: Math.round(total * SHARES.aiUsage),
    sessions: Math.round((total / 1000) * SESSIONS_PER_THOUSAND),
    consents: Math.round((total / 1000) * CONSENTS_PER_THOUSAND),
  };
  const people = [subject, other];
  const at = (i: number, n: number) => new Date(now - span + Math.floor((i / n) * span)).toISOString();
  try {
    await client.query('BEGIN');
    const hash = '0'.repeat(64);
    await copyRows(
      client,
      'audit.events',
      [
        'organization_id',
        'sequence',
        'id',
        'actor_type',
        'actor_id',
        'actor_name',
        'action',
        'severity',
        'outcome',
        'targets',
        'ip',
        'user_agent',
        'request',
        'changes',
        'source',
        'occurred_at',
        'recorded_at',
        'previous_hash',
        'hash',
      ],
      (function* () {
        // The two people's events interleave, as in a real log.
        const n = counts.auditEvents * 2;
        for (let sequence = 1; sequence <= n; sequence++) {
          const actor = people[sequence % 2]!;
          const when = at(sequence, n);
          yield [
            organizationId,
            String(sequence),
            `aud_D${sequence}`,
            'user',
            actor,
            `Member ${sequence % 2}`,
            sequence % 3 === 0 ? 'identity.member.update' : 'analytics.report.create',
            'info',
            'success',
            `[{"type":"member","id":"mem_${sequence % 50}"}]`,
            '198.51.100.23',
            'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
            `{"operation":"UpdateMember","variables":{"id":"mem_${sequence % 50}","input":{"name":"Member ${sequence % 50}","title":"Engineer"}}}`,
            `{"name":{"from":"Member ${sequence % 49}","to":"Member ${sequence % 50}"}}`,
            'identity',
            when,
            when,
            hash,
            hash,
          ];
        }
      })(),
    );
    await copyRows(
      client,
      'analytics.call_records',
      ['organization_id', 'call_id', 'participants', 'codec', 'started_at', 'ended_at', 'billed_minutes', 'mos', 'quality'],
      (function* () {
        const n = counts.callRecords * 2;
        for (let i = 0; i < n; i++) {
          const started = new Date(now - span + Math.floor((i / n) * span));
          yield [
            organizationId,
            `call-${String(i).padStart(8, '0')}`,
            `{${people[i % 2]},pstn:+1555010${i % 10}}`,
            'opus',
            started.toISOString(),
            new Date(started.getTime() + 300_000).toISOString(),
            '5',
            '4.2',
            'good',
          ];
        }
      })(),
    );
    await copyRows(
      client,
      'analytics.recordings',
      ['id', 'organization_id', 'call_id', 'storage_url', 'duration_seconds', 'status', 'transcript', 'summary'],
      (function* () {
        // Recordings of the first calls, every other of which is the person's.
        for (let i = 0; i < counts.recordings * 2; i++) {
          yield [
            `rec_${String(i).padStart(8, '0')}`,
            organizationId,
            `call-${String(i).padStart(8, '0')}`,
            `s3://bench/recordings/${i}.opus`,
            '300',
            'summarised',
            'Hello, this is a call about the quarterly figures. '.repeat(10),
            'The quarterly figures were discussed.',
          ];
        }
      })(),
    );
    await copyRows(
      client,
      'analytics.ai_usage_events',
      ['organization_id', 'id', 'feature', 'model', 'user_id', 'call_id', 'tokens', 'seconds', 'cost_micros', 'occurred_at'],
      (function* () {
        const n = counts.aiUsage * 2;
        for (let i = 0; i < n; i++) {
          yield [
            organizationId,
            `ai-${String(i).padStart(8, '0')}`,
            'STT',
            'whisper-1',
            people[i % 2]!,
            `call-${String(i).padStart(8, '0')}`,
            '\\N',
            '30',
            '3000',
            at(i, n),
          ];
        }
      })(),
    );
    await copyRows(
      client,
      'analytics.organization_users',
      ['organization_id', 'user_id', 'first_seen_at', 'last_seen_at'],
      people.map((person) => [organizationId, person, at(0, 1), at(1, 1)]),
    );
    await copyRows(
      client,
      'identity.sessions',
      ['id', 'user_id', 'organization_id', 'expires_at', 'ip', 'user_agent'],
      (function* () {
        for (let i = 0; i < counts.sessions * 2; i++) {
          yield [
            newId('session'),
            people[i % 2]!,
            organizationId,
            new Date(now + 86_400_000).toISOString(),
            '198.51.100.23',
            'BenchAgent/1.0',
          ];
        }
      })(),
    );
    await copyRows(
      client,
      'compliance.consent_records',
      ['id', 'organization_id', 'user_id', 'purpose', 'state', 'notice_version', 'source', 'at', 'recorded_by_id'],
      (function* () {
        for (let i = 0; i < counts.consents * 2; i++) {
          const person = people[i % 2]!;
          yield [
            newId('consentRecord'),
            organizationId,
            person,
            `purpose-${i % 20}`,
            i % 4 === 0 ? 'withdrawn' : 'granted',
            '2026-01',
            'self',
            at(i, counts.consents * 2),
            person,
          ];
        }
      })(),
    );
    await client.query('COMMIT');
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
  return { organizationId, rows: counts };
}

interface ExportRun {
  format: Format;
  /** requestDataExport answered. */
  requestMs: number;
  /** The job's run: every subgraph's pages into the file. */
  processMs: number;
  /** The whole file read from the link. */
  downloadMs: number;
  totalMs: number;
  bytes: number;
  records: Record<string, number>;
  memory: { name: string; beforeBytes: number; peakBytes: number }[];
}

export const dsrExportScenario: Scenario = async (options, log) => {
  const total = rowsWanted(process.env.BENCH_DSR_ROWS, options.smoke);
  const formats = formatsWanted(process.env.BENCH_DSR_FORMATS, options.smoke);
  log('compiling the project');
  await buildProject();
  await dropStaleBenchDatabases(isProcessAlive);
  const database = await createBenchDatabase({ organizations: 1, membersPerOrganization: 2, callers: 2 });
  const cleanups: (() => Promise<void>)[] = [() => database.drop()];
  try {
    const [subject, other] = database.callers as [(typeof database.callers)[0], (typeof database.callers)[0]];
    const seeding = performance.now();
    const seeded = await seed(database.url, subject.organizationId, subject.userId, other.userId, total);
    log(
      `seeded ${JSON.stringify(seeded.rows)} for the person (and as many for another) in ${((performance.now() - seeding) / 1000).toFixed(1)} s`,
    );

    const subgraphs = await startSubgraphs(database);
    cleanups.unshift(() => subgraphs.stop());
    const gateway = await startGateway('ours', database, subgraphs);
    cleanups.unshift(() => gateway.stop());
    const job = await startJobServer(database, subgraphs, gateway);
    cleanups.unshift(() => job.stop());
    const serverOf = (name: string): ServerProcess => subgraphs.processes.find((server) => server.name === name)!;
    const watched = [job, gateway, ...['identity', 'audit', 'analytics', 'compliance'].map(serverOf)].map((server) => ({
      name: server.name === 'job' ? 'job (compliance.process-requests)' : server.name === 'ours' ? 'gateway' : server.name,
      pid: server.pid,
    }));

    const ask = async <T>(query: string, variables: Record<string, unknown>): Promise<T> => {
      const response = await fetch(gateway.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${subject.token}` },
        body: JSON.stringify({ query, variables }),
      });
      const answer = (await response.json()) as { data?: T; errors?: unknown[] };
      if (answer.errors?.length || !answer.data) throw new Error(`the gateway answered ${JSON.stringify(answer)}`);
      return answer.data;
    };

    const runs: ExportRun[] = [];
    // A first JSON export warms every process up (the plans, the connections); it is not reported.
    for (const [index, format] of (['JSON', ...formats] as Format[]).entries()) {
      const memory = watchRss(watched);
      const started = performance.now();
      const { requestDataExport: created } = await ask<{ requestDataExport: { id: string } }>(
        `mutation($o: ID!, $f: DataExportFormat!) { requestDataExport(input: { organizationId: $o, format: $f }) { id } }`,
        { o: subject.organizationId, f: format },
      );
      const requested = performance.now();
      const ran = await fetch(`${job.url}?job=compliance.process-requests&org=${encodeURIComponent(subject.organizationId)}`, {
        method: 'POST',
        signal: AbortSignal.timeout(30 * 60_000),
      });
      const outcome = (await ran.json()) as { result?: { completed: number; failed: number }; error?: string };
      if (!ran.ok || outcome.result?.completed !== 1) throw new Error(`the job's run: ${JSON.stringify(outcome)}\n${job.output()}`);
      const processed = performance.now();
      const { complianceRequest: done } = await ask<{
        complianceRequest: { status: string; downloadUrl: string | null; result: string | null };
      }>('query($id: ID!) { complianceRequest(id: $id) { status downloadUrl result } }', { id: created.id });
      if (done.status !== 'COMPLETED' || !done.downloadUrl) throw new Error(`the export is ${JSON.stringify(done)}`);
      // The link names compliance's public address; this run's compliance listens elsewhere.
      const link = new URL(done.downloadUrl);
      const download = await fetch(new URL(`${link.pathname}${link.search}`, subgraphs.urls.compliance));
      if (download.status !== 200 || !download.body) throw new Error(`the download answered ${download.status}: ${await download.text()}`);
      let bytes = 0;
      const reader = download.body.getReader();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) bytes += chunk.value.byteLength;
      const finished = performance.now();
      const figures = memory.stop();
      const records = (JSON.parse(done.result ?? '{}') as { records?: Record<string, number> }).records ?? {};
      const run: ExportRun = {
        format,
        requestMs: requested - started,
        processMs: processed - requested,
        downloadMs: finished - processed,
        totalMs: finished - started,
        bytes,
        records,
        memory: figures,
      };
      log(
        `${index === 0 ? 'warm-up ' : ''}${format}: ${(run.totalMs / 1000).toFixed(2)} s (job ${(run.processMs / 1000).toFixed(2)} s), ${(bytes / 1e6).toFixed(1)} MB, ${JSON.stringify(records)}`,
      );
      if (index > 0) runs.push(run);
    }

    const mb = (bytes: number) => Math.round(bytes / 1e5) / 10;
    const timeRows: Cell[][] = runs.map((run) => [
      run.format,
      Object.values(run.records).reduce((sum, n) => sum + n, 0),
      mb(run.bytes),
      run.requestMs / 1000,
      run.processMs / 1000,
      run.downloadMs / 1000,
      run.totalMs / 1000,
    ]);
    const subgraphNames = Object.keys(runs[0]?.records ?? {});
    const recordRows: Cell[][] = subgraphNames.map((name) => [name, runs[0]!.records[name] ?? 0]);
    const memoryRows: Cell[][] = runs.flatMap((run) =>
      run.memory.map((process) => [
        run.format,
        process.name,
        mb(process.beforeBytes),
        mb(process.peakBytes),
        mb(process.peakBytes - process.beforeBytes),
      ]),
    );
    return {
      scenario: 'dsr-export',
      comparison: `One person's export with ${total} rows over the subgraphs, end to end: requestDataExport through the gateway, the compliance.process-requests run (each subgraph's pages through the gateway into the file), the download from the link. Goal: ≤ 3 s, memory flat.`,
      tables: [
        {
          title: 'Export, per format',
          table: { columns: ['format', 'records', 'MB', 'request s', 'job s', 'download s', 'total s'], rows: timeRows },
        },
        { title: 'Records per subgraph', table: { columns: ['subgraph', 'records'], rows: recordRows } },
        {
          title: 'Resident memory of each process, before the export and at its peak',
          table: { columns: ['format', 'process', 'before MB', 'peak MB', 'peak − before MB'], rows: memoryRows },
        },
      ],
      raw: { total, seeded: seeded.rows, runs },
      notes: [
        `Seeded with COPY for the person: ${Object.entries(seeded.rows)
          .map(([kind, n]) => `${n} ${kind}`)
          .join(', ')}; another member of the organization has as many.`,
        'The first export (JSON) of the run warms the processes up and is not reported; each format is its own request, run and download.',
      ],
    };
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
  }
};

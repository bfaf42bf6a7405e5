/**
 * `npm run job -- <name> [--org <organization id>]`: runs one job once in this process, with
 * its timeout, progress stored like the worker's, and exits with its status: 0 when it
 * completed (its result on the last line, JSON), 1 when it failed, 2 for a name no subgraph
 * defines (the known ones are listed). SIGTERM/SIGINT abort the run. Needs DATABASE_URL.
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { loadConfigOrExit } from '../platform/config';
import { createLogger } from '../platform/logger';
import { ProgressStore, executeJob } from '../platform/jobs/runner';
import { jobDefinitions, openJobDependencies, registeredJobs } from '../runtime/jobs';

function usage(): string {
  const known = jobDefinitions()
    .map((definition) => `  ${definition.name.padEnd(32)}${definition.description}`)
    .join('\n');
  return `usage: npm run job -- <name> [--org <organization id>]\n\nJobs:\n${known}\n`;
}

function parse(argv: string[]): { name: string | undefined; organizationId: string | undefined } {
  let name: string | undefined;
  let organizationId: string | undefined;
  for (let i = 0; i < argv.length; i += 1) {
    if (argv[i] === '--org') {
      organizationId = argv[i + 1];
      i += 1;
      if (!organizationId) throw new Error('--org needs an organization id');
    } else if (argv[i].startsWith('--org=')) organizationId = argv[i].slice('--org='.length);
    else if (!name) name = argv[i];
    else throw new Error(`unexpected argument ${argv[i]}`);
  }
  return { name, organizationId };
}

async function main(): Promise<number> {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${usage()}`);
    return 2;
  }
  const { name, organizationId } = args;
  if (!name || !jobDefinitions().some((definition) => definition.name === name)) {
    process.stderr.write(`${name ? `unknown job ${name}\n` : ''}${usage()}`);
    return 2;
  }
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, { service: 'auralink-job', job: name });
  const databaseUrl = config.database.url;
  if (!databaseUrl) {
    process.stderr.write('DATABASE_URL is required to run a job.\n');
    return 1;
  }
  const dependencies = await openJobDependencies(config, logger, databaseUrl);
  const pool = new Pool({ connectionString: databaseUrl, max: 1, application_name: 'auralink-job' });
  const stop = new AbortController();
  process.once('SIGTERM', () => stop.abort());
  process.once('SIGINT', () => stop.abort());
  try {
    const job = registeredJobs(dependencies).find((registered) => registered.definition.name === name)!;
    const progress = new ProgressStore((sql, values) => pool.query(sql, values), config.jobs.schema);
    await progress.ensureTable();
    const id = randomUUID();
    const started = performance.now();
    try {
      const result = await executeJob(job, {
        id,
        payload: organizationId ? { organizationId } : {},
        logger,
        progress,
        stop: stop.signal,
      });
      logger.info({ jobId: id, ms: Math.round(performance.now() - started) }, 'job completed');
      process.stdout.write(`${JSON.stringify({ job: name, id, status: 'completed', result })}\n`);
      return 0;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      process.stderr.write(`${name} failed: ${message}\n`);
      process.stdout.write(`${JSON.stringify({ job: name, id, status: 'failed', error: message })}\n`);
      return 1;
    }
  } finally {
    await pool.end();
    await dependencies.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`Could not run the job: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);

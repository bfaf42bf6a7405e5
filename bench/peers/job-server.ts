/**
 * A job process, as `npm run job` runs one, kept alive so that a scenario can watch its memory
 * before and while a run goes: the subgraphs' jobs over the dependencies the worker opens, one
 * run per `POST /run?job=<name>&org=<organization id>`, answered with the job's result as JSON.
 *   node job-server.js   (JOB_SERVER_PORT, DATABASE_URL and the product's other settings)
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { loadConfigOrExit } from '../../platform/config';
import { createLogger } from '../../platform/logger';
import { executeJob } from '../../platform/jobs/runner';
import { openJobDependencies, registeredJobs } from '../../runtime/jobs';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const logger = createLogger(config.logLevel, { service: 'bench-job-server' });
  const dependencies = await openJobDependencies(config, logger, config.database.url!);
  const jobs = registeredJobs(dependencies);
  // Progress goes nowhere: the scenario reads the request's own progress.
  const progress = { record: () => Promise.resolve() };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    const job = jobs.find((registered) => registered.definition.name === url.searchParams.get('job'));
    if (!job) {
      res.writeHead(404).end();
      return;
    }
    const organizationId = url.searchParams.get('org');
    executeJob(job, { id: randomUUID(), payload: organizationId ? { organizationId } : {}, logger, progress }).then(
      (result) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ result })),
      (error: unknown) =>
        res
          .writeHead(500, { 'content-type': 'application/json' })
          .end(JSON.stringify({ error: error instanceof Error ? error.message : String(error) })),
    );
  });
  server.listen(Number(process.env.JOB_SERVER_PORT), '127.0.0.1');
  const stop = () => {
    server.close();
    void dependencies.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`job server: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

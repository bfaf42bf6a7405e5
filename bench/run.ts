/**
 * npm run bench -- <scenario> [options]
 *
 *   --smoke                 tiny data set, half-second runs: checks the scenario starts and reports
 *   --duration <s>          measured seconds per run (default 8)
 *   --warmup <s>            warm-up seconds before each run (default 2)
 *   --connections <n,…>     concurrency levels (default 1,10)
 *   --workers <n,…>         gateway processes per peer: 1, and/or one per core (default 1)
 *   --rounds <n>            interleaved repetitions; the median is reported (default 1)
 *   --queries <a,b>         only these queries
 *   --peers <a,b>           only these peers (floor, hive, ours)
 *   --cpu-prof <dir>        CPU profile of our gateway (and of the floor in `subscriptions`), or of the subgraphs in `subgraphs` (Chrome DevTools, speedscope)
 *
 * Prints the table (Markdown) and writes the figures as JSON under bench/results/.
 */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import path from 'node:path';
import type { RunOptions, Scenario } from './options';
import { renderReport, writeResults } from './report';
import { analyticsScenario } from './scenarios/analytics';
import { apiKeyScenario } from './scenarios/api-key';
import { authzCheckScenario, authzEnforceScenario } from './scenarios/authz';
import { auditScenario } from './scenarios/audit';
import { billingScenario } from './scenarios/billing';
import { dsrExportScenario } from './scenarios/dsr-export';
import { edgeScenario } from './scenarios/edge';
import { gatewayScenario } from './scenarios/gateway';
import { jobsScenario } from './scenarios/jobs';
import { plannerScenario } from './scenarios/planner';
import { signInScenario } from './scenarios/sign-in';
import { subgraphsScenario } from './scenarios/subgraphs';
import { subscriptionsScenario } from './scenarios/subscriptions';

const SCENARIOS: Record<string, Scenario> = {
  gateway: gatewayScenario,
  planner: plannerScenario,
  'authz-enforce': authzEnforceScenario,
  'authz-check': authzCheckScenario,
  subscriptions: subscriptionsScenario,
  subgraphs: subgraphsScenario,
  billing: billingScenario,
  audit: auditScenario,
  analytics: analyticsScenario,
  jobs: jobsScenario,
  'sign-in': signInScenario,
  'api-key': apiKeyScenario,
  edge: edgeScenario,
  'dsr-export': dsrExportScenario,
};

const list = (value: string | undefined) =>
  value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
const numbers = (value: string | undefined, fallback: number[]) => list(value)?.map(Number) ?? fallback;

async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      smoke: { type: 'boolean', default: false },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      workers: { type: 'string' },
      rounds: { type: 'string' },
      queries: { type: 'string' },
      peers: { type: 'string' },
      'cpu-prof': { type: 'string' },
    },
  });
  const name = positionals[0];
  const scenario = name ? SCENARIOS[name] : undefined;
  if (!name || !scenario) {
    process.stderr.write(`usage: npm run bench -- <${Object.keys(SCENARIOS).join('|')}> [--smoke] [--duration s] [--connections n,…] …\n`);
    process.exit(2);
  }
  const smoke = values.smoke ?? false;
  const options: RunOptions = {
    smoke,
    durationSeconds: Number(values.duration ?? (smoke ? 0.5 : 8)),
    warmupSeconds: Number(values.warmup ?? (smoke ? 0.25 : 2)),
    connections: numbers(values.connections, smoke ? [2] : [1, 10]),
    workers: numbers(values.workers, [1]),
    rounds: Number(values.rounds ?? 1),
    queries: list(values.queries),
    peers: list(values.peers),
    cpuProfileDir: values['cpu-prof'] ? path.resolve(values['cpu-prof']) : undefined,
  };
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
  const log = (line: string) => process.stderr.write(`[bench ${name}] ${line}\n`);
  const report = await scenario(options, log);
  process.stdout.write(`${renderReport(report, command)}\n`);
  const file = writeResults(report, command, options);
  process.stdout.write(`results: ${path.relative(process.cwd(), file)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

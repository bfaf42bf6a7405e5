/**
 * The Argo Workflows and Airflow wrappers (deploy/): each runs the one-shot job command of the
 * project's image, so what they call must be a job the code defines, the command must be what
 * `npm run build` makes of bin/job.ts, and their schedules, order, retries and deadlines are
 * what the README says.
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { SUBGRAPH_NAMES } from '../../platform/config';
import { DEFAULT_TIMEOUT_SECONDS } from '../../platform/jobs/runner';
import { jobDefinitions } from '../../runtime/jobs';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');
const ARGO = path.join(ROOT, 'deploy/argo');
const DAGS = path.join(ROOT, 'deploy/airflow/dags');
/** The module of the DAG folder that builds the tasks (not a DAG itself). */
const DAG_HELPER = 'auralink_job.py';

const known = new Map(jobDefinitions().map((definition) => [definition.name, definition]));
const timeoutOf = (job: string) => known.get(job)?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
/** What a job's name looks like (`<subgraph>.<verb-noun>`): any such string a wrapper holds must be a defined job. */
const JOB_LIKE = new RegExp(`^(${SUBGRAPH_NAMES.join('|')})\\.[a-z][a-z0-9-]*$`);

/** The script `npm run build` makes of bin/job.ts, relative to the image's working directory. */
function compiledJobScript(): string {
  const { compilerOptions } = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as {
    compilerOptions: { outDir: string; rootDir: string };
  };
  const relative = path.relative(path.resolve(ROOT, compilerOptions.rootDir), path.join(ROOT, 'bin/job.ts'));
  return path.posix.join(compilerOptions.outDir, relative.split(path.sep).join('/')).replace(/\.ts$/, '.js');
}

// ---- Argo ----

interface Parameter {
  name: string;
  value?: string;
}
interface Call {
  name: string;
  template?: string;
  templateRef?: { name: string; template: string };
  dependencies?: string[];
  arguments?: { parameters?: Parameter[] };
  withParam?: string;
}
interface Template {
  name: string;
  inputs?: { parameters?: Parameter[] };
  activeDeadlineSeconds?: number;
  retryStrategy?: { limit?: string | number; backoff?: { duration?: string; factor?: string | number } };
  container?: { image?: string; command?: string[]; args?: string[] };
  steps?: Call[][];
  dag?: { tasks: Call[] };
}
interface WorkflowSpec {
  entrypoint?: string;
  templates?: Template[];
  workflowTemplateRef?: { name: string };
  parallelism?: number;
  activeDeadlineSeconds?: number;
  arguments?: { parameters?: Parameter[] };
}
interface Manifest {
  file: string;
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: WorkflowSpec & {
    schedules?: string[];
    schedule?: string;
    timezone?: string;
    concurrencyPolicy?: string;
    workflowSpec?: WorkflowSpec;
  };
}

const argoFiles = readdirSync(ARGO).filter((file) => /\.ya?ml$/.test(file));
const manifests: Manifest[] = argoFiles.flatMap((file) =>
  parseAllDocuments(readFileSync(path.join(ARGO, file), 'utf8')).map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
    return { file, ...(document.toJS() as Omit<Manifest, 'file'>) };
  }),
);
const workflowTemplates = new Map(manifests.filter((m) => m.kind === 'WorkflowTemplate').map((m) => [m.metadata.name, m]));
const cronWorkflow = (name: string) => manifests.find((m) => m.kind === 'CronWorkflow' && m.metadata.name === name)!;
/** What a workflow runs: its own spec, or the WorkflowTemplate it refers to. */
const specOf = (manifest: Manifest): WorkflowSpec => {
  const spec = manifest.kind === 'CronWorkflow' ? manifest.spec.workflowSpec! : manifest.spec;
  return spec.workflowTemplateRef ? { ...workflowTemplates.get(spec.workflowTemplateRef.name)!.spec, ...spec } : spec;
};
const callsOf = (template: Template): Call[] => [...(template.steps ?? []).flat(), ...(template.dag?.tasks ?? [])];
const resolve = (spec: WorkflowSpec, call: Call): Template | undefined =>
  call.templateRef
    ? workflowTemplates.get(call.templateRef.name)?.spec.templates?.find((t) => t.name === call.templateRef!.template)
    : spec.templates?.find((t) => t.name === call.template);

/** The jobs a workflow runs, in order, following templateRefs down to the containers; `deadline` is the container template's. */
function jobsRun(spec: WorkflowSpec, templateName = spec.entrypoint!): { job: string; deadline: number | undefined }[] {
  const template = spec.templates!.find((t) => t.name === templateName)!;
  const ordered = template.dag ? topological(template.dag.tasks) : callsOf(template);
  return ordered.flatMap((call) => {
    const target = resolve(spec, call)!;
    const targetSpec = call.templateRef ? workflowTemplates.get(call.templateRef.name)!.spec : spec;
    if (target.container) {
      const job = call.arguments?.parameters?.find((parameter) => parameter.name === 'job')?.value;
      return job ? [{ job, deadline: target.activeDeadlineSeconds }] : [];
    }
    return jobsRun(targetSpec, target.name);
  });
}

/** A DAG's tasks in the order their dependencies force; fails unless that order is the only one (a chain). */
function topological(tasks: Call[]): Call[] {
  const ordered: Call[] = [];
  const remaining = [...tasks];
  while (remaining.length > 0) {
    const ready = remaining.filter((task) => (task.dependencies ?? []).every((name) => ordered.some((done) => done.name === name)));
    if (ready.length !== 1) throw new Error(`not a chain: ${ready.length} tasks ready after ${ordered.map((t) => t.name).join(', ')}`);
    ordered.push(ready[0]!);
    remaining.splice(remaining.indexOf(ready[0]!), 1);
  }
  return ordered;
}

/** Every string anywhere in a parsed document. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

// ---- Airflow ----

interface DagFile {
  file: string;
  dag: {
    dag_id: string;
    schedule: string;
    start_date_utc: boolean;
    default_args: { retries: number; retry_delay: number; retry_exponential_backoff: boolean };
  };
  tasks: { variable: string; job: string; execution_timeout: number | null }[];
  edges: [string, string][];
  strings: string[];
}

const dagFiles = readdirSync(DAGS).filter((file) => file.endsWith('.py') && file !== DAG_HELPER);

async function python3(): Promise<boolean> {
  return run('python3', ['--version']).then(
    () => true,
    () => false,
  );
}

async function readDags(): Promise<DagFile[]> {
  const { stdout } = await run('python3', [
    path.join(ROOT, 'tests/kit/airflow-dag-reader.py'),
    path.join(DAGS, DAG_HELPER),
    ...dagFiles.map((file) => path.join(DAGS, file)),
  ]);
  return (JSON.parse(stdout) as DagFile[]).map((dag) => ({ ...dag, file: path.basename(dag.file) }));
}

/** A DAG's task chain from its edges: each task after the one before it, and nothing else. */
function chainOf(dag: DagFile): string[] {
  const jobOf = new Map(dag.tasks.map((task) => [task.variable, task.job]));
  const next = new Map(dag.edges.map(([from, to]) => [from, to]));
  const first = dag.tasks.find((task) => !dag.edges.some(([, to]) => to === task.variable))!;
  const order = [first.variable];
  while (next.has(order.at(-1)!)) order.push(next.get(order.at(-1)!)!);
  expect(order).toHaveLength(dag.tasks.length);
  return order.map((variable) => jobOf.get(variable)!);
}

const NIGHTLY = ['analytics.refresh-views', 'analytics.calculate-ai-costs', 'analytics.generate-insights', 'audit.archive-events'];
const RECORDINGS = ['analytics.transcribe-recordings', 'analytics.analyse-recordings', 'analytics.summarise-recordings'];

describe('Argo Workflows wrappers (deploy/argo)', () => {
  it('are Argo resources with a name, and every workflow has an entrypoint or a WorkflowTemplate it runs', () => {
    expect(manifests.length).toBeGreaterThan(0);
    for (const manifest of manifests) {
      const where = `${manifest.file} ${manifest.kind}/${manifest.metadata?.name}`;
      expect({ where, apiVersion: manifest.apiVersion }).toEqual({ where, apiVersion: 'argoproj.io/v1alpha1' });
      expect(['WorkflowTemplate', 'CronWorkflow']).toContain(manifest.kind);
      expect(manifest.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      const spec = manifest.kind === 'CronWorkflow' ? manifest.spec.workflowSpec! : manifest.spec;
      if (spec.workflowTemplateRef) expect(workflowTemplates.has(spec.workflowTemplateRef.name)).toBe(true);
      else expect(spec.templates?.some((template) => template.name === spec.entrypoint)).toBe(true);
    }
  });

  it('call templates that exist, and every container runs the built job command of the image', () => {
    const script = compiledJobScript();
    expect(script).toBe('dist/bin/job.js');
    for (const manifest of manifests) {
      const spec = manifest.kind === 'CronWorkflow' ? manifest.spec.workflowSpec! : manifest.spec;
      for (const template of spec.templates ?? []) {
        for (const call of callsOf(template)) {
          expect({ call: call.name, found: Boolean(resolve(spec, call)) }).toEqual({ call: call.name, found: true });
        }
        if (!template.container) continue;
        expect(template.container.image).toMatch(/\S/);
        expect(template.container.command).toEqual(['node', script]);
        expect(template.container.args?.[0]).toBe('{{inputs.parameters.job}}');
        expect(template.inputs?.parameters?.map((parameter) => parameter.name)).toContain('job');
        expect(Number(template.retryStrategy?.limit)).toBeGreaterThanOrEqual(2);
        expect(Number(template.retryStrategy?.limit)).toBeLessThanOrEqual(3);
        expect(template.retryStrategy?.backoff?.duration).toBeDefined();
        expect(template.activeDeadlineSeconds).toBeGreaterThan(0);
      }
    }
  });

  it('name only jobs the code defines', () => {
    const named = manifests.flatMap((manifest) => strings(manifest).filter((value) => JOB_LIKE.test(value)));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((name) => !known.has(name))).toEqual([]);
    for (const manifest of manifests.filter((m) => m.kind === 'CronWorkflow')) {
      for (const { job } of jobsRun(specOf(manifest))) expect(known.has(job)).toBe(true);
    }
  });

  it('give each job longer than its own timeout, so the job stops itself first', () => {
    for (const manifest of manifests) {
      for (const { job, deadline } of jobsRun(specOf(manifest))) {
        expect({ job, longer: (deadline ?? 0) > timeoutOf(job) }).toEqual({ job, longer: true });
      }
    }
  });

  it('run the nightly analytics chain at 02:00 UTC, in order', () => {
    const nightly = cronWorkflow('auralink-analytics-nightly');
    expect(nightly.spec.schedules ?? [nightly.spec.schedule]).toEqual(['0 2 * * *']);
    expect(nightly.spec.timezone).toBe('UTC');
    expect(nightly.spec.concurrencyPolicy).toBe('Forbid');
    expect(specOf(nightly).activeDeadlineSeconds).toBeGreaterThan(0);
    expect(jobsRun(specOf(nightly)).map(({ job }) => job)).toEqual(NIGHTLY);
  });

  it('process recordings every 4 hours UTC: transcribe, analyse, summarise', () => {
    const recordings = cronWorkflow('auralink-recording-processing');
    expect(recordings.spec.schedules ?? [recordings.spec.schedule]).toEqual(['0 */4 * * *']);
    expect(recordings.spec.timezone).toBe('UTC');
    expect(recordings.spec.concurrencyPolicy).toBe('Forbid');
    // It ends before the next tick.
    expect(specOf(recordings).activeDeadlineSeconds).toBeLessThan(4 * 3600);
    expect(jobsRun(specOf(recordings)).map(({ job }) => job)).toEqual(RECORDINGS);
  });

  it('run the AI batch five at a time, the recording chain for each organization given', () => {
    const batch = workflowTemplates.get('auralink-ai-batch')!;
    expect(batch.spec.parallelism).toBe(5);
    expect(batch.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    const fanOut = callsOf(batch.spec.templates!.find((t) => t.name === batch.spec.entrypoint)!);
    expect(fanOut.map((call) => call.withParam)).toEqual(['{{workflow.parameters.organizations}}']);
    expect(fanOut[0]!.arguments?.parameters).toEqual([{ name: 'org', value: '{{item}}' }]);
    expect(jobsRun(batch.spec).map(({ job }) => job)).toEqual(RECORDINGS);
  });
});

describe('Airflow wrappers (deploy/airflow/dags)', () => {
  let available = false;
  let dags: DagFile[] = [];
  beforeAll(async () => {
    available = await python3();
    if (!available) {
      process.stderr.write('python3 is not installed: the Airflow DAGs are neither compiled nor read (deploy-wrappers.test.ts)\n');
      return;
    }
    dags = await readDags();
  });
  const dag = (id: string) => dags.find((candidate) => candidate.dag.dag_id === id)!;

  it('compile (python3 -m py_compile)', async () => {
    if (!available) return;
    expect(dagFiles.length).toBeGreaterThan(0);
    for (const file of [DAG_HELPER, ...dagFiles]) {
      // The bytecode goes to a temporary folder, not beside the DAGs.
      const result = await run('python3', ['-m', 'py_compile', path.join(DAGS, file)], {
        env: { ...process.env, PYTHONPYCACHEPREFIX: path.join(tmpdir(), 'auralink-dag-pycache') },
      }).catch((error: { stderr: string }) => error);
      expect({ file, stderr: result.stderr }).toEqual({ file, stderr: '' });
    }
  });

  it('name only jobs the code defines, each task with longer than the job’s own timeout', () => {
    if (!available) return;
    for (const { file, tasks, strings: constants } of dags) {
      expect({ file, tasks: tasks.length > 0 }).toEqual({ file, tasks: true });
      expect(constants.filter((value) => JOB_LIKE.test(value) && !known.has(value))).toEqual([]);
      for (const { job, execution_timeout: timeout } of tasks) {
        expect({ job, known: known.has(job) }).toEqual({ job, known: true });
        expect({ job, longer: (timeout ?? 0) > timeoutOf(job) }).toEqual({ job, longer: true });
      }
    }
  });

  it('run the nightly analytics chain at 02:00 UTC and recordings every 4 hours, in order, with retries that back off', () => {
    if (!available) return;
    expect(dags.map((candidate) => candidate.dag.dag_id).sort()).toEqual(['analytics_processing', 'call_recording_processing']);
    expect(dag('analytics_processing').dag.schedule).toBe('0 2 * * *');
    expect(chainOf(dag('analytics_processing'))).toEqual(NIGHTLY);
    expect(dag('call_recording_processing').dag.schedule).toBe('0 */4 * * *');
    expect(chainOf(dag('call_recording_processing'))).toEqual(RECORDINGS);
    for (const { dag: definition } of dags) {
      expect({ dag: definition.dag_id, utc: definition.start_date_utc }).toEqual({ dag: definition.dag_id, utc: true });
      expect(definition.default_args.retries).toBeGreaterThanOrEqual(2);
      expect(definition.default_args.retries).toBeLessThanOrEqual(3);
      expect(definition.default_args.retry_delay).toBeGreaterThan(0);
      expect(definition.default_args.retry_exponential_backoff).toBe(true);
    }
  });
});

/**
 * Servers under test run as child processes, apart from the load generator, so that
 * the CPU time and memory read from /proc belong to the server alone.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServerProcess {
  name: string;
  pid: number;
  /** Where its `/health` (or `/graphql`) answers. */
  url: string;
  /** The last lines it wrote to stderr and stdout, for a failure message. */
  output(): string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Polled until it answers 200 (any method: GET). */
  readyUrl: string;
  url: string;
  timeoutMs?: number;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `node <args>` and waits until `readyUrl` answers. */
/** Servers still running: if the bench itself is stopped (Ctrl-C, a test's timeout), they go with it. */
const running = new Set<ChildProcess>();
let reaperInstalled = false;
function installReaper(): void {
  if (reaperInstalled) return;
  reaperInstalled = true;
  const reap = () => {
    for (const child of running) child.kill('SIGKILL');
  };
  process.once('exit', reap);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      reap();
      process.exit(128 + (signal === 'SIGINT' ? 2 : 15));
    });
  }
}

export async function spawnServer(options: SpawnOptions): Promise<ServerProcess> {
  installReaper();
  const child = spawn(process.execPath, options.args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });

  const server: ServerProcess = {
    name: options.name,
    pid: child.pid ?? -1,
    url: options.url,
    output: () => tail,
    stop: () => stopChild(child),
  };
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`${options.name} exited with code ${exited} before it was ready:\n${tail}`);
    try {
      const response = await fetch(options.readyUrl, { signal: AbortSignal.timeout(1000) });
      await response.arrayBuffer();
      if (response.ok) return server;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  await server.stop();
  throw new Error(`${options.name} was not ready within ${options.timeoutMs ?? 60_000} ms:\n${tail}`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** The process and every descendant of it (cluster workers, forks). */
export function processTree(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat) continue;
    const siblings = children.get(stat.ppid) ?? [];
    siblings.push(Number(entry));
    children.set(stat.ppid, siblings);
  }
  const tree: number[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return tree;
}

const CLOCK_TICKS_PER_SECOND = 100;

function readStat(pid: number): { ppid: number; cpuSeconds: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: fields are counted after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const ppid = Number(fields[1]);
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
    return { ppid, cpuSeconds: ticks / CLOCK_TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

function readRssBytes(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export interface UsageReport {
  /** CPU seconds used by the processes during the window. */
  cpuSeconds: number;
  /** CPU time over wall time: 1.0 = one core busy. */
  cores: number;
  /** The highest sum of resident memory seen while sampling. */
  peakRssBytes: number;
}

/**
 * Samples CPU time and resident memory of process trees while a load runs. Trees are
 * resolved at start, so workers forked later are not counted: start it once servers are up.
 */
export function watchUsage(rootPids: number[], intervalMs = 100): { stop(): UsageReport } {
  const pids = rootPids.flatMap((pid) => processTree(pid));
  const cpuOf = () => pids.reduce((sum, pid) => sum + (readStat(pid)?.cpuSeconds ?? 0), 0);
  const rssOf = () => pids.reduce((sum, pid) => sum + readRssBytes(pid), 0);
  const startedAt = performance.now();
  const startCpu = cpuOf();
  let peakRssBytes = rssOf();
  const timer = setInterval(() => {
    peakRssBytes = Math.max(peakRssBytes, rssOf());
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      peakRssBytes = Math.max(peakRssBytes, rssOf());
      const cpuSeconds = cpuOf() - startCpu;
      const wallSeconds = (performance.now() - startedAt) / 1000;
      return { cpuSeconds, cores: wallSeconds > 0 ? cpuSeconds / wallSeconds : 0, peakRssBytes };
    },
  };
}

/**
 * Resident memory of each process (with its descendants) apart: what it was when watching
 * started, and the most seen while sampling.
 */
export function watchRss(
  servers: { name: string; pid: number }[],
  intervalMs = 50,
): { stop(): { name: string; beforeBytes: number; peakBytes: number }[] } {
  const trees = servers.map((server) => ({ name: server.name, pids: processTree(server.pid) }));
  const rssOf = (pids: number[]) => pids.reduce((sum, pid) => sum + readRssBytes(pid), 0);
  const before = trees.map((tree) => rssOf(tree.pids));
  const peak = [...before];
  const sample = () => trees.forEach((tree, i) => (peak[i] = Math.max(peak[i]!, rssOf(tree.pids))));
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return trees.map((tree, i) => ({ name: tree.name, beforeBytes: before[i]!, peakBytes: peak[i]! }));
    },
  };
}

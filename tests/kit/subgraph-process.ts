import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { SubgraphName } from '../../platform/config';

const ROOT = path.resolve(__dirname, '../..');

export interface SubgraphProcess {
  url: string;
  child: ChildProcess;
  /** What it wrote so far (pino JSON lines), for messages. */
  output(): string;
  /** SIGKILL, or SIGTERM when `gracefully`; resolves once it has exited. */
  stop(options?: { gracefully?: boolean }): Promise<void>;
}

/**
 * A subgraph (or the gateway) as production runs it (bin/serve.ts, its own process); `env`
 * adds to the test's own environment. `onOutput` sees everything written so far, after each chunk.
 */
export async function startSubgraphProcess(
  name: SubgraphName | 'gateway',
  env: NodeJS.ProcessEnv,
  options: { onOutput?: (output: string) => void } = {},
): Promise<SubgraphProcess> {
  // node itself, not npx, so the signal that stops it reaches the server and not a wrapper.
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'bin/serve.ts', name], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', [`${name.toUpperCase()}_PORT`]: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 90_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      options.onOutput?.(output);
      const listening = /"url":"(http:[^"]+)"/.exec(output)?.[1];
      if (listening) {
        clearTimeout(timer);
        resolve(listening);
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}):\n${output}`)));
  });
  return {
    url,
    child,
    output: () => output,
    stop: async ({ gracefully = false } = {}) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill(gracefully ? 'SIGTERM' : 'SIGKILL');
      await exited;
    },
  };
}

import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '../..');

describe('generated files', () => {
  // The committed SDL, supergraph, API schema and typed operations must be what the code
  // generates now; otherwise the gateway serves a schema the code does not implement.
  it('are up to date with the code (npm run generate -- --check)', async () => {
    const result = await run('npx', ['ts-node', '--transpile-only', 'bin/generate.ts', '--check'], { cwd: ROOT }).catch(
      (error: { stdout: string; stderr: string }) => error,
    );
    expect(result.stderr.replace(/npm warn.*\n/g, '')).toBe('');
    expect(result.stdout).toMatch(/generated files are up to date/);
  });
});

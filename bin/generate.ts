/**
 * Regenerates every generated file from the code: each subgraph's SDL, the composed
 * supergraph, its API schema, and the typed operations.
 *   npm run generate            write them
 *   npm run generate -- --check fail (exit 1) naming every file that is stale
 */
import 'reflect-metadata';
import { generatedFiles, staleFiles, writeGeneratedFiles } from '../runtime/schema-generation';

async function main(): Promise<void> {
  const files = await generatedFiles();
  if (process.argv.includes('--check')) {
    const stale = staleFiles(files);
    if (stale.length > 0) {
      process.stderr.write(`Generated files are stale; run \`npm run generate\` and commit:\n${stale.map((f) => `  ${f}`).join('\n')}\n`);
      process.exit(1);
    }
    process.stdout.write(`${files.length} generated files are up to date\n`);
    return;
  }
  writeGeneratedFiles(files);
  process.stdout.write(`wrote ${files.map((file) => file.path).join(', ')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

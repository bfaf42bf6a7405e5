import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Kind, buildSchema, parse, print, validate, visit } from 'graphql';
import type { DefinitionNode, FragmentDefinitionNode, OperationDefinitionNode } from 'graphql';
import type { ManifestOperation, OperationManifest } from '../platform/operation-manifest';

const ROOT = path.resolve(__dirname, '..');
export const OPERATIONS_DIR = path.join(ROOT, 'schema', 'operations');

function graphqlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? graphqlFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)]))
    .filter((file) => file.endsWith('.graphql'))
    .sort();
}

/**
 * Every named operation under schema/operations/, each printed with the fragments it uses
 * (operation first, then fragments by name), validated against the API schema. A name used
 * twice, an anonymous operation or an invalid one fails the generation, naming it.
 */
export function buildOperationManifest(apiSdl: string, dir = OPERATIONS_DIR): OperationManifest {
  const schema = buildSchema(apiSdl);
  const definitions: { file: string; definition: DefinitionNode }[] = graphqlFiles(dir).flatMap((file) =>
    parse(readFileSync(file, 'utf8')).definitions.map((definition) => ({ file: path.relative(ROOT, file), definition })),
  );
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const { definition, file } of definitions) {
    if (definition.kind !== Kind.FRAGMENT_DEFINITION) continue;
    if (fragments.has(definition.name.value)) throw new Error(`${file}: fragment ${definition.name.value} is defined twice`);
    fragments.set(definition.name.value, definition);
  }
  const operations = new Map<string, ManifestOperation>();
  for (const { definition, file } of definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const name = definition.name?.value;
    if (!name) throw new Error(`${file}: every operation needs a name`);
    if (operations.has(name)) throw new Error(`${file}: operation ${name} is defined twice`);
    const body = [definition, ...usedFragments(definition, fragments)].map((node) => print(node)).join('\n\n');
    const errors = validate(schema, parse(body));
    if (errors.length > 0) throw new Error(`${file}: operation ${name} is invalid: ${errors.map((e) => e.message).join('; ')}`);
    operations.set(name, { id: createHash('sha256').update(body).digest('hex'), name, type: definition.operation, body });
  }
  return {
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: [...operations.values()].sort((a, b) => a.name.localeCompare(b.name)),
  };
}

function usedFragments(operation: OperationDefinitionNode, fragments: Map<string, FragmentDefinitionNode>): FragmentDefinitionNode[] {
  const used = new Map<string, FragmentDefinitionNode>();
  const walk = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        const name = spread.name.value;
        const fragment = fragments.get(name);
        if (!fragment) throw new Error(`operation ${operation.name?.value}: unknown fragment ${name}`);
        if (used.has(name)) return;
        used.set(name, fragment);
        walk(fragment);
      },
    });
  walk(operation);
  return [...used.values()].sort((a, b) => a.name.value.localeCompare(b.name.value));
}

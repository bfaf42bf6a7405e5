import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface ManifestOperation {
  /** SHA-256 of `body`, hex: the id a persisted-query request names. */
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

/** Apollo's `apollo-persisted-query-manifest` format (what `@apollo/generate-persisted-query-manifest` writes). */
export interface OperationManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: ManifestOperation[];
}

/** Where `npm run generate` writes the manifest, relative to the repository root. */
export const OPERATION_MANIFEST_PATH = 'schema/operation-manifest.json';

let loaded: OperationManifest | undefined;

/** The committed manifest (read once a process). */
export function operationManifest(): OperationManifest {
  loaded ??= JSON.parse(readFileSync(path.resolve(__dirname, '..', OPERATION_MANIFEST_PATH), 'utf8')) as OperationManifest;
  return loaded;
}

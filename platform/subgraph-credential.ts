import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import path from 'node:path';
import type { Config } from './config';

/** The header the gateway sends on every subgraph request (HTTP and the WebSocket upgrade). */
export const SUBGRAPH_SECRET_HEADER = 'x-subgraph-secret';

/** A fresh secret, for a process that runs the gateway and the subgraphs together. */
export function generateSubgraphSecret(): string {
  return randomBytes(32).toString('base64');
}

/**
 * SUBGRAPH_SECRET, or (outside production) one generated once and kept in
 * `<dataDir>/subgraph.secret` with mode 600, so a gateway and subgraphs started as separate
 * processes on one machine agree without setup.
 */
export function subgraphSecretFor(config: Pick<Config, 'env' | 'dataDir' | 'subgraph'>): string {
  if (config.subgraph.secret) return config.subgraph.secret;
  if (config.env === 'production') throw new Error('SUBGRAPH_SECRET is required in production');
  const file = path.resolve(config.dataDir, 'subgraph.secret');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    try {
      writeFileSync(file, generateSubgraphSecret(), { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  chmodSync(file, 0o600);
  return readFileSync(file, 'utf8').trim();
}

/**
 * Whether `headers` carry `secret`. Both sides are hashed first, so the comparison takes the
 * same time whatever was sent and however long it is.
 */
export function carriesSubgraphSecret(headers: IncomingHttpHeaders, secret: string): boolean {
  const sent = headers[SUBGRAPH_SECRET_HEADER];
  if (typeof sent !== 'string' || sent === '') return false;
  return timingSafeEqual(digest(sent), digest(secret));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

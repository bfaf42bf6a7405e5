import { createHash } from 'node:crypto';
import type { DocumentNode } from 'graphql';

/**
 * Documents that parsed and validated (graphql's rules and the document limits), by the
 * SHA-256 of their text: a document sent again (every dashboard sends the same few) costs a
 * hash instead of a parse and a validation, which is 0.3–0.5 ms against the supergraph
 * (BENCHMARKS.md, planner). Bounded: the least recently used goes first. Failures are never
 * kept. One cache serves one schema and one set of rules. Used by the subgraphs' lean
 * execution and by every WebSocket server's subscribe messages.
 */
export class DocumentCache {
  private readonly entries = new Map<string, DocumentNode>();

  constructor(private readonly maxEntries = 1_000) {}

  /**
   * The SHA-256 of the text, in hex as Apollo Server's `queryHash`; `scope` keeps apart
   * documents checked differently (text limits skipped for the gateway's own fetches).
   */
  static keyOf(text: string, scope = ''): string {
    const hash = createHash('sha256');
    if (scope) hash.update(scope).update('\n');
    return hash.update(text).digest('hex');
  }

  get(key: string): DocumentNode | undefined {
    const document = this.entries.get(key);
    if (document) {
      this.entries.delete(key);
      this.entries.set(key, document); // most recently used last
    }
    return document;
  }

  set(key: string, document: DocumentNode): void {
    this.entries.delete(key);
    this.entries.set(key, document);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  get size(): number {
    return this.entries.size;
  }
}

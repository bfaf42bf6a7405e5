import type { ServiceTokens } from '../../../platform/auth/service-token';
import type { SubgraphName } from '../../../platform/config';
import { MAX_DATA_SUBJECT_PAGE, dataSubjectFieldNames } from '../../../platform/personal-data/data-subject';
import type { DataSubject, DataSubjectErasure, DataSubjectRecord } from '../../../platform/personal-data/data-subject';
import type { PersonalDataCategory } from '../../../platform/personal-data/personal-data-directive';

/**
 * The subgraphs that hold personal data and answer the data-subject contract, in the order a
 * deletion runs: identity first, since it refuses what may not be erased (the organization's
 * last active member) before anything else is touched.
 */
export const DATA_SUBJECT_SUBGRAPHS = ['identity', 'audit', 'analytics', 'compliance'] as const satisfies readonly SubgraphName[];
export type DataSubjectSubgraph = (typeof DATA_SUBJECT_SUBGRAPHS)[number];

/** Records asked for in one call, the contract's most; a subgraph whose records are large answers fewer (audit). */
export const EXPORT_PAGE_SIZE = MAX_DATA_SUBJECT_PAGE;

export interface DataSubjectParts {
  /** Every record of the person's in one subgraph, a page at a time. */
  export(subgraph: DataSubjectSubgraph, subject: DataSubject): AsyncIterable<DataSubjectRecord[]>;
  erase(subgraph: DataSubjectSubgraph, subject: DataSubject, categories: readonly PersonalDataCategory[]): Promise<DataSubjectErasure[]>;
}

interface ExportPage {
  next: string | null;
  records: { kind: string; id: string; data: string }[];
}

interface GraphqlAnswer<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * The contract's fields, asked of the gateway with a compliance service token for the
 * request's organization: compliance never reads another subgraph's tables.
 */
export class GatewayDataSubjectParts implements DataSubjectParts {
  constructor(
    private readonly gatewayUrl: string,
    private readonly tokens: ServiceTokens,
  ) {}

  async *export(subgraph: DataSubjectSubgraph, subject: DataSubject): AsyncIterable<DataSubjectRecord[]> {
    const field = dataSubjectFieldNames(subgraph).export;
    const query = `query DataSubjectExport($o: ID!, $u: ID!, $after: String, $first: Int!) {
      page: ${field}(organizationId: $o, userId: $u, after: $after, first: $first) { next records { kind id data } }
    }`;
    const page = (after: string | null) =>
      this.ask<{ page: ExportPage }>(subject.organizationId, query, {
        o: subject.organizationId,
        u: subject.userId,
        after,
        first: EXPORT_PAGE_SIZE,
      });
    // The next page is asked for while this one is written: two pages at most are held.
    let current: Promise<{ page: ExportPage }> = page(null);
    for (;;) {
      const answer = await current;
      const after = answer.page.next;
      if (after !== null) {
        current = page(after);
        // Not awaited until the next turn: a failure then is that turn's, not an unhandled rejection.
        current.catch(() => undefined);
      }
      yield answer.page.records.map((record) => ({
        kind: record.kind,
        id: record.id,
        data: JSON.parse(record.data) as Record<string, unknown>,
      }));
      if (after === null) return;
    }
  }

  async erase(
    subgraph: DataSubjectSubgraph,
    subject: DataSubject,
    categories: readonly PersonalDataCategory[],
  ): Promise<DataSubjectErasure[]> {
    const field = dataSubjectFieldNames(subgraph).erase;
    const query = `mutation DataSubjectErase($o: ID!, $u: ID!, $c: [String!]!) {
      done: ${field}(organizationId: $o, userId: $u, categories: $c) { kind erased anonymised kept note }
    }`;
    const { done } = await this.ask<{ done: DataSubjectErasure[] }>(subject.organizationId, query, {
      o: subject.organizationId,
      u: subject.userId,
      c: categories,
    });
    return done;
  }

  private async ask<T>(organizationId: string, query: string, variables: Record<string, unknown>): Promise<T> {
    const response = await fetch(this.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${this.tokens.sign('compliance', organizationId)}` },
      body: JSON.stringify({ query, variables }),
    });
    const answer = (await response.json()) as GraphqlAnswer<T>;
    if (answer.errors?.length || !answer.data) {
      const error = answer.errors?.[0];
      throw new DataSubjectCallError(error?.message ?? `the gateway answered ${response.status}`, error?.extensions?.code ?? null);
    }
    return answer.data;
  }
}

/** A subgraph's part could not be had or done; `code` is the GraphQL error code when it gave one. */
export class DataSubjectCallError extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'DataSubjectCallError';
  }
}

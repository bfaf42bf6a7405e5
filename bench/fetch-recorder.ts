/**
 * Finds the subgraph fetches a query turns into, for one caller: runs it once through an
 * in-process @apollo/gateway whose data sources note each request they send and when it
 * started and ended. Fetches that start before any fetch of the current wave has
 * answered belong to that wave (the plan's Parallel nodes); the others start a new one.
 */
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import type { GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { SUBGRAPH_SECRET_HEADER } from '../platform/subgraph-credential';
import type { FetchWaves, SubgraphFetch } from './load';
import { SUBGRAPH_SECRET } from './stack';

interface RecorderContext {
  authorization?: string;
  fetches: { fetch: SubgraphFetch; startedAt: number; endedAt: number }[];
}

class RecordingDataSource extends RemoteGraphQLDataSource<RecorderContext> {
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<RecorderContext>): void {
    if (context.authorization) request.http?.headers.set('authorization', context.authorization);
    request.http?.headers.set(SUBGRAPH_SECRET_HEADER, SUBGRAPH_SECRET);
  }

  override async process(options: GraphQLDataSourceProcessOptions<RecorderContext>) {
    const { request } = options;
    const context = options.context as RecorderContext;
    const headers: Record<string, string> = { 'content-type': 'application/json', [SUBGRAPH_SECRET_HEADER]: SUBGRAPH_SECRET };
    if (context.authorization) headers.authorization = context.authorization;
    const fetch: SubgraphFetch = {
      url: this.url!,
      headers,
      body: JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName }),
    };
    const startedAt = performance.now();
    const response = await super.process(options);
    context.fetches?.push({ fetch, startedAt, endedAt: performance.now() });
    return response;
  }
}

export interface FetchRecorder {
  /** The subgraph fetches of `query` for the caller whose bearer token is `token`, grouped into waves. */
  record(
    query: string,
    token: string | undefined,
    variables?: Record<string, unknown>,
  ): Promise<{ waves: FetchWaves; data: unknown; errors: unknown }>;
  stop(): Promise<void>;
}

export async function createFetchRecorder(supergraphSdl: string, subgraphUrls: Record<string, string>): Promise<FetchRecorder> {
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name }) => new RecordingDataSource({ url: subgraphUrls[name] }),
  });
  const server = new ApolloServer<RecorderContext>({ gateway });
  await server.start();
  return {
    async record(query, token, variables) {
      const context: RecorderContext = { authorization: token ? `Bearer ${token}` : undefined, fetches: [] };
      const response = await server.executeOperation({ query, variables }, { contextValue: context });
      const result = response.body.kind === 'single' ? response.body.singleResult : undefined;
      return { waves: groupIntoWaves(context.fetches), data: result?.data, errors: result?.errors };
    },
    stop: () => server.stop(),
  };
}

function groupIntoWaves(fetches: RecorderContext['fetches']): FetchWaves {
  const ordered = [...fetches].sort((a, b) => a.startedAt - b.startedAt);
  const waves: FetchWaves = [];
  let firstAnswer = -Infinity;
  for (const entry of ordered) {
    if (waves.length === 0 || entry.startedAt >= firstAnswer) {
      waves.push([entry.fetch]);
      firstAnswer = entry.endedAt;
    } else {
      waves.at(-1)!.push(entry.fetch);
      firstAnswer = Math.min(firstAnswer, entry.endedAt);
    }
  }
  return waves;
}

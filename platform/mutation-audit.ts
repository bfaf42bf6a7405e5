import type { GraphQLError } from 'graphql';
import type { MiddlewareFn } from 'type-graphql';
import type { DataSource } from 'typeorm';
import type { RequestContext } from './context';
import type { MutationOutcomeFact } from './outbox/event-catalogue';
import { Outbox } from './outbox/outbox';
import { redactSecrets } from './redaction';

/** Where a subgraph's mutation outcomes go. */
export interface MutationAuditSink {
  record(fact: MutationOutcomeFact): Promise<void>;
}

/** Arguments larger than this (as JSON) are recorded as their size only. */
const MAX_ARGUMENT_BYTES = 8 * 1024;
const DENIED_CODES = new Set(['FORBIDDEN', 'UNAUTHENTICATED', 'PAYMENT_REQUIRED']);

/**
 * Records every mutation's outcome in every subgraph, without its resolver doing anything:
 * the first of the global middlewares (platform/federation.ts), so it also sees refusals by
 * the access directives. The outcome is known only once the resolver has settled: `success`
 * is written only after it returned (a service's transaction committed by then), an error
 * becomes `denied` or `failed`, so a mutation that fails after a partial write never leaves
 * an event claiming success. The answer waits for the record, so a mutation acknowledged to
 * its caller is in the sink; a sink that fails is logged and does not fail the mutation
 * (its change stands). Calls without a principal (public mutations) name no organization
 * and are left to the domain facts.
 */
export function mutationAudit(subgraph: string): MiddlewareFn<RequestContext> {
  return async ({ context, info, args }, next) => {
    const sink = context.mutationAudit;
    if (info.parentType.name !== 'Mutation' || !sink || !context.principal) return next();
    const principal = context.principal;
    const record = async (outcome: MutationOutcomeFact['outcome'], errorCode: string | null) => {
      const fact: MutationOutcomeFact = {
        organizationId: principal.organizationId,
        userId: principal.userId,
        ...(principal.apiKey ? { apiKeyId: principal.apiKey.id } : {}),
        subgraph,
        field: info.fieldName,
        outcome,
        errorCode,
        arguments: boundedArguments(args),
        requestId: context.requestId,
        ip: context.client?.ip ?? null,
        userAgent: context.client?.userAgent ?? null,
        at: new Date().toISOString(),
      };
      await sink
        .record(fact)
        .catch((error: unknown) => context.logger.error({ err: error, field: info.fieldName }, 'mutation audit: could not record'));
    };
    let result: unknown;
    try {
      result = await next();
    } catch (error) {
      const code = String((error as GraphQLError).extensions?.code ?? 'INTERNAL');
      await record(DENIED_CODES.has(code) ? 'denied' : 'failed', code);
      throw error;
    }
    await record('success', null);
    return result;
  };
}

function boundedArguments(args: Record<string, unknown>): Record<string, unknown> {
  const redacted = redactSecrets(args) as Record<string, unknown>;
  const size = Buffer.byteLength(JSON.stringify(redacted));
  return size > MAX_ARGUMENT_BYTES ? { truncated: true, bytes: size } : redacted;
}

/** The default sink: the subgraph's own outbox, in a transaction of its own, for the audit subgraph to consume. */
export class OutboxMutationAuditSink implements MutationAuditSink {
  private readonly outbox = new Outbox();

  constructor(private readonly dataSource: DataSource) {}

  async record(fact: MutationOutcomeFact): Promise<void> {
    await this.dataSource.transaction((manager) => this.outbox.add(manager, { type: 'audit.mutation.recorded', payload: fact }));
  }
}

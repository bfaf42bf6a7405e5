import { Arg, Ctx, Directive, Field, ID, Int, Mutation, ObjectType, Query, Resolver } from 'type-graphql';
import type { ClassType } from 'type-graphql';
import type { SubgraphName } from '../config';
import type { RequestContext } from '../context';
import { BadUserInputError, ForbiddenError, UnauthenticatedError } from '../errors';
import { parseId } from '../ids';
import { PERSONAL_DATA_CATEGORIES, isPersonalDataCategory } from './personal-data-directive';
import type { PersonalDataCategory } from './personal-data-directive';

/**
 * The data-subject contract (GDPR Art. 15, 17, 20): every subgraph that holds personal data
 * exports a person's part of it and erases it by its own rules. Compliance runs the requests
 * and reaches each subgraph's part through the gateway with a service token, so no subgraph
 * reads another's tables; these fields answer that token only.
 */
export interface DataSubject {
  organizationId: string;
  userId: string;
}

/** One record of a person's data: what it is (`session`, `call_record`), its id, and its fields. */
export interface DataSubjectRecord {
  kind: string;
  id: string;
  data: Record<string, unknown>;
}

/** A record whose fields the subgraph had as JSON text already (an object, built by its database): passed on as it is. */
export interface DataSubjectJsonRecord {
  kind: string;
  id: string;
  json: string;
}

export interface DataSubjectPage {
  records: (DataSubjectRecord | DataSubjectJsonRecord)[];
  /** Where the next page starts; null: this was the last. */
  next: string | null;
}

/** What an erasure did with one kind of record: deleted, anonymised, or kept on purpose (and why). */
export interface DataSubjectErasure {
  kind: string;
  erased: number;
  anonymised: number;
  kept: number;
  /** Why what is kept is kept (a legal period, the audit chain). */
  note?: string | null;
}

export interface DataSubjectContract {
  /** A page of the person's records in the organization, `first` at most (fewer when they are large), from `after` (a previous page's `next`). */
  export(subject: DataSubject, after: string | null, first: number): Promise<DataSubjectPage>;
  /** Erases or anonymises the person's data of these categories in the organization, by this subgraph's rules. Idempotent. */
  erase(subject: DataSubject, categories: readonly PersonalDataCategory[]): Promise<DataSubjectErasure[]>;
}

/** Records in one page of an export, at most. */
export const MAX_DATA_SUBJECT_PAGE = 1000;

/** The root fields of a subgraph's contract: `_<subgraph>DataSubjectExport` and `_<subgraph>DataSubjectErase`. */
export function dataSubjectFieldNames(subgraph: SubgraphName): { export: string; erase: string } {
  return { export: `_${subgraph}DataSubjectExport`, erase: `_${subgraph}DataSubjectErase` };
}

const DATA_SUBJECT_FIELD = /^_[a-z]+DataSubject(Export|Erase)$/;

export function isDataSubjectField(fieldName: string): boolean {
  return DATA_SUBJECT_FIELD.test(fieldName);
}

/**
 * The access rule of the contract's fields, in place of the access directives: only a
 * compliance service token, and only for the organization it was signed for.
 */
export function assertDataSubjectCaller(context: RequestContext, field: string, args: Record<string, unknown>): void {
  const principal = context.principal;
  if (!principal) throw new UnauthenticatedError();
  if (principal.service !== 'compliance') {
    throw new ForbiddenError(`${field} answers the compliance service only`, { field, reason: 'SERVICE_ONLY' });
  }
  if (args.organizationId !== principal.organizationId) {
    throw new ForbiddenError(`organizationId: this service token is for organization "${principal.organizationId}"`, {
      field: 'organizationId',
    });
  }
}

@ObjectType('DataSubjectRecord', { description: "One record of a person's data, as the subgraph that holds it exports it." })
@Directive('@shareable')
export class DataSubjectRecordType {
  @Field({ description: 'What the record is: `user`, `session`, `audit_event`, `call_record`, `consent`, …' })
  kind: string;

  @Field(() => ID)
  id: string;

  @Field({ description: "The record's fields, as JSON." })
  data: string;
}

@ObjectType('DataSubjectExportPage', { description: "A page of a person's data in one subgraph." })
@Directive('@shareable')
export class DataSubjectExportPage {
  @Field(() => [DataSubjectRecordType])
  records: DataSubjectRecordType[];

  @Field(() => String, { nullable: true, description: 'Pass as `after` for the next page; null: there is none.' })
  next: string | null;
}

@ObjectType('DataSubjectErasure', { description: 'What an erasure did with one kind of record.' })
@Directive('@shareable')
export class DataSubjectErasureType {
  @Field()
  kind: string;

  @Field(() => Int, { description: 'Records deleted.' })
  erased: number;

  @Field(() => Int, { description: 'Records kept with the personal data removed.' })
  anonymised: number;

  @Field(() => Int, { description: 'Records kept as they are, on purpose (see note).' })
  kept: number;

  @Field(() => String, { nullable: true, description: 'Why what is kept is kept, or how it was anonymised: the rule, never the person.' })
  note: string | null;
}

interface ContractContext extends RequestContext {
  services: { dataSubject: DataSubjectContract };
}

/** The contract's two root fields for one subgraph, answered by its `services.dataSubject`. */
export function dataSubjectModule(subgraph: SubgraphName): { resolvers: ClassType[]; types: ClassType[] } {
  const names = dataSubjectFieldNames(subgraph);

  @Resolver()
  class DataSubjectResolver {
    @Query(() => DataSubjectExportPage, {
      name: names.export,
      description: `For the compliance service: a page of one person's data held by ${subgraph}.`,
    })
    async export(
      @Arg('organizationId', () => ID) organizationId: string,
      @Arg('userId', () => ID) userId: string,
      @Arg('after', () => String, { nullable: true }) after: string | null,
      @Arg('first', () => Int, { defaultValue: 500 }) first: number,
      @Ctx() context: ContractContext,
    ): Promise<DataSubjectExportPage> {
      if (!Number.isInteger(first) || first < 1 || first > MAX_DATA_SUBJECT_PAGE) {
        throw new BadUserInputError(`first: between 1 and ${MAX_DATA_SUBJECT_PAGE}`, 'first');
      }
      const subject = { organizationId, userId: parseId('user', userId, 'userId') };
      const page = await context.services.dataSubject.export(subject, after ?? null, first);
      return {
        next: page.next,
        records: page.records.map((record) => ({
          kind: record.kind,
          id: record.id,
          data: 'json' in record ? record.json : JSON.stringify(record.data),
        })),
      };
    }

    @Mutation(() => [DataSubjectErasureType], {
      name: names.erase,
      description: `For the compliance service: erases or anonymises one person's data held by ${subgraph}.`,
    })
    async erase(
      @Arg('organizationId', () => ID) organizationId: string,
      @Arg('userId', () => ID) userId: string,
      @Arg('categories', () => [String]) categories: string[],
      @Ctx() context: ContractContext,
    ): Promise<DataSubjectErasureType[]> {
      const unknown = categories.find((category) => !isPersonalDataCategory(category));
      if (unknown !== undefined) {
        throw new BadUserInputError(`categories: "${unknown}" is none of ${PERSONAL_DATA_CATEGORIES.join(', ')}`, 'categories');
      }
      const subject = { organizationId, userId: parseId('user', userId, 'userId') };
      const done = await context.services.dataSubject.erase(subject, categories as PersonalDataCategory[]);
      return done.map((erasure) => ({ ...erasure, note: erasure.note ?? null }));
    }
  }
  Object.defineProperty(DataSubjectResolver, 'name', { value: `${subgraph}DataSubjectResolver` });

  return { resolvers: [DataSubjectResolver], types: [DataSubjectExportPage, DataSubjectErasureType] };
}

/**
 * A cursor of `<section index>:<key>` over a contract's sections: the key of the last record
 * handed out in that section (empty: from its start). Pages start where the last one ended
 * (keyset paging), so each costs the same however deep into the person's records it is.
 */
export function parseSectionCursor(after: string | null, sections: number): { section: number; key: string | null } {
  if (after === null) return { section: 0, key: null };
  const match = /^(\d+):(.*)$/s.exec(after);
  const section = Number(match?.[1]);
  if (!match || section >= sections) throw new BadUserInputError('after: not a cursor of this export', 'after');
  return { section, key: match[2] === '' ? null : match[2]! };
}

/** Records of one section, each with the key a page after it starts from. */
export type KeyedRecords = { record: DataSubjectRecord; key: string }[];

/** One kind of record of a person's, read a page at a time in a fixed order. */
export interface DataSubjectSection {
  kind: string;
  /** At most `limit` records, in the section's order, after the one whose key is `after` (null: from the first). */
  read(subject: DataSubject, after: string | null, limit: number): Promise<KeyedRecords>;
}

/**
 * An export over sections read one after another: a page holds what is left of the current
 * section, then the next ones, up to `first` records.
 */
export async function exportSections(
  sections: readonly DataSubjectSection[],
  subject: DataSubject,
  after: string | null,
  first: number,
): Promise<DataSubjectPage> {
  let { section, key } = parseSectionCursor(after, sections.length);
  const records: DataSubjectRecord[] = [];
  while (section < sections.length && records.length < first) {
    const wanted = first - records.length;
    const rows = await sections[section]!.read(subject, key, wanted + 1);
    records.push(...rows.slice(0, wanted).map((row) => row.record));
    if (rows.length > wanted) return { records, next: `${section}:${rows[wanted - 1]!.key}` };
    section += 1;
    key = null;
  }
  return { records, next: section < sections.length ? `${section}:` : null };
}

/**
 * A section read with one SQL query over `$1` (organization), `$2` (person) and `$3` (the
 * key to start after, or null). The query selects the record's id as `id`, its key as `key`
 * (text), the record's fields, and holds `ORDER BY`; `LIMIT` is added.
 */
export function sqlSection(kind: string, query: (sql: string, parameters: unknown[]) => Promise<unknown>, sql: string): DataSubjectSection {
  return {
    kind,
    read: async ({ organizationId, userId }, after, limit) => {
      const rows = (await query(`${sql} LIMIT ${Number(limit)}`, [organizationId, userId, after])) as (Record<string, unknown> & {
        id: string;
        key: string;
      })[];
      return rows.map(({ id, key, ...data }) => ({ record: { kind, id, data }, key }));
    },
  };
}

import { Field, Int, ObjectType } from 'type-graphql';

@ObjectType('AuditCount')
export class AuditCountType {
  @Field(() => String)
  key: string;

  @Field(() => Int)
  count: number;
}

@ObjectType('AuditStats', { description: 'Counts of the events matching a filter (the last 30 days unless `filter.from` says).' })
export class AuditStatsType {
  @Field(() => Int)
  total: number;

  @Field(() => [AuditCountType], { description: 'The 50 most frequent actions.' })
  byAction: AuditCountType[];

  @Field(() => [AuditCountType])
  bySeverity: AuditCountType[];

  @Field(() => [AuditCountType])
  byOutcome: AuditCountType[];

  @Field(() => [AuditCountType], { description: 'The 50 most active actors, as `type:id`.' })
  byActor: AuditCountType[];

  @Field(() => [AuditCountType], { description: 'Per UTC day, `YYYY-MM-DD`.' })
  byDay: AuditCountType[];

  @Field(() => Date)
  from: Date;

  @Field(() => Date)
  to: Date;
}

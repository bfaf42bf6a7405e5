import { Field, ObjectType } from 'type-graphql';

@ObjectType('ReportFilters', {
  description: 'What a report counts: codec and degraded calls narrow call metrics; feature, model and user narrow AI metrics.',
})
export class ReportFiltersType {
  @Field(() => String, { nullable: true })
  codec?: string | null;

  @Field(() => Boolean, { nullable: true })
  degradedOnly?: boolean | null;

  @Field(() => String, { nullable: true })
  feature?: string | null;

  @Field(() => String, { nullable: true })
  model?: string | null;

  @Field(() => String, { nullable: true })
  userId?: string | null;
}

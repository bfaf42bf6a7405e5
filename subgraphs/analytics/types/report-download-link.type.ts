import { Field, ObjectType } from 'type-graphql';

@ObjectType('ReportDownloadLink', { description: 'A signed link to a run’s output: GET it (no token needed) before it expires.' })
export class ReportDownloadLinkType {
  @Field(() => String)
  url: string;

  @Field(() => Date)
  expiresAt: Date;
}

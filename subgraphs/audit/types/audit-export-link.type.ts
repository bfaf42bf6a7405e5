import { Field, ObjectType } from 'type-graphql';

@ObjectType('AuditExportLink', { description: 'A signed download link: GET it (no token needed) before it expires.' })
export class AuditExportLinkType {
  @Field(() => String)
  url: string;

  @Field(() => Date)
  expiresAt: Date;
}

import { IsOptional } from 'class-validator';
import { Field, ID, InputType } from 'type-graphql';
import { MultiLineText } from '../../../platform/validation';
import { ExportFormat, Regulation } from './compliance-request-enums';

@InputType({ description: 'A request for a copy of a person’s data in your organization (GDPR Art. 15 and 20, HIPAA 164.524).' })
export class RequestDataExportInput {
  @Field(() => ID)
  organizationId: string;

  @Field(() => ID, { nullable: true, description: 'A member or former member (owners and admins, `compliance:manage`). Absent: yourself.' })
  userId?: string | null;

  @Field(() => ExportFormat, { nullable: true, description: 'Absent: JSON.' })
  format?: ExportFormat | null;

  @Field(() => Regulation, { nullable: true, description: 'Absent: GDPR.' })
  regulation?: Regulation | null;

  @Field(() => String, { nullable: true, description: 'Anything the person adds: at most 2,000 characters.' })
  @IsOptional()
  @MultiLineText(2000)
  details?: string | null;
}

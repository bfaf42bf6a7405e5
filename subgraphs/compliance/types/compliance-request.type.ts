import { Field, ID, Int, ObjectType } from 'type-graphql';
import { PersonalData } from '../../../platform/personal-data/personal-data-directive';
import type { RequestView } from '../services/data-subject-request.service';
import { DataSubjectRequestStatus, DataSubjectRequestType, ExportFormat, Regulation } from './compliance-request-enums';
import { ComplianceUserReference } from './federated-entities.type';

@ObjectType('ComplianceRequest', {
  description: 'A person’s request about their data in your organization (a data-subject request), from receipt to its answer.',
})
export class ComplianceRequestType {
  @Field(() => ID, { description: '`dsr_…`' })
  id: string;

  @Field(() => ID)
  organizationId: string;

  @Field(() => ID, { description: 'The person the request is about.' })
  userId: string;

  @Field(() => ComplianceUserReference, { description: 'The person, as identity knows them now (after an erasure: anonymised).' })
  user: ComplianceUserReference;

  @Field(() => ID, { description: 'Who made it: the person, or an owner or admin for them.' })
  requestedById: string;

  @Field(() => DataSubjectRequestType)
  type: DataSubjectRequestType;

  @Field(() => DataSubjectRequestStatus)
  status: DataSubjectRequestStatus;

  @Field(() => Regulation)
  regulation: Regulation;

  @Field(() => ExportFormat, { nullable: true, description: 'An export’s file format.' })
  format: ExportFormat | null;

  @Field(() => [String], { nullable: true, description: 'A deletion’s categories of personal data; null: all of them.' })
  categories: string[] | null;

  @PersonalData('activity')
  @Field(() => String, {
    nullable: true,
    description: 'What the person said: for a rectification, which data is wrong and how it should read.',
  })
  details: string | null;

  @Field(() => Date)
  receivedAt: Date;

  @Field(() => Date, { description: 'When it must be answered by.' })
  dueAt: Date;

  @Field(() => Boolean, { description: 'Still open after its due date.' })
  overdue: boolean;

  @Field(() => Date, { nullable: true })
  extendedAt: Date | null;

  @PersonalData('activity')
  @Field(() => String, { nullable: true, description: 'Why the due date was extended.' })
  extensionReason: string | null;

  @Field(() => ID, { nullable: true, description: 'Who approved or rejected it.' })
  decidedById: string | null;

  @Field(() => Date, { nullable: true })
  decidedAt: Date | null;

  @PersonalData('activity')
  @Field(() => String, { nullable: true, description: 'The approval’s note, or the reason of a rejection.' })
  decisionNote: string | null;

  @Field(() => Boolean, { description: 'A deletion waiting for the legal holds on the person to be released.' })
  held: boolean;

  @Field(() => Int, { description: 'Subgraphs processed so far.' })
  progressDone: number;

  @Field(() => Int, { description: 'Subgraphs to process.' })
  progressTotal: number;

  @Field(() => String, {
    nullable: true,
    description: 'What processing did, as JSON: records exported, or erased, anonymised and kept, per subgraph.',
  })
  result: string | null;

  @Field(() => Date, { nullable: true })
  completedAt: Date | null;

  @Field(() => String, {
    nullable: true,
    description:
      'A completed export’s file, for the person who asked or the person it is about: a signed link that expires, good for one download.',
  })
  downloadUrl: string | null;

  @Field(() => Date, { nullable: true, description: 'When the export’s file was downloaded (it is then deleted).' })
  downloadedAt: Date | null;
}

export function complianceRequestTypeOf(view: RequestView): ComplianceRequestType {
  return {
    id: view.id,
    organizationId: view.organizationId,
    userId: view.userId,
    user: { id: view.userId },
    requestedById: view.requestedById,
    type: view.type,
    status: view.status,
    regulation: view.regulation,
    format: view.format,
    categories: view.categories,
    details: view.details,
    receivedAt: view.receivedAt,
    dueAt: view.dueAt,
    overdue: view.overdue,
    extendedAt: view.extendedAt,
    extensionReason: view.extensionReason,
    decidedById: view.decidedById,
    decidedAt: view.decidedAt,
    decisionNote: view.decisionNote,
    held: view.held,
    progressDone: view.progressDone,
    progressTotal: view.progressTotal,
    result: view.result ? JSON.stringify(view.result) : null,
    completedAt: view.completedAt,
    downloadUrl: view.downloadUrl,
    downloadedAt: view.downloadedAt,
  };
}

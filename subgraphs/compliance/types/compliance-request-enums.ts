import { registerEnumType } from 'type-graphql';
import { DataSubjectRequestStatus, DataSubjectRequestType, ExportFormat, Regulation } from '../entities/data-subject-request.entity';

registerEnumType(DataSubjectRequestType, {
  name: 'ComplianceRequestType',
  description: 'What a data-subject request asks for.',
  valuesConfig: {
    EXPORT: { description: 'A copy of the person’s data, in a file (GDPR Art. 15 access, Art. 20 portability; HIPAA 164.524).' },
    DELETION: { description: 'Erasure of the person’s data, all of it or chosen categories (GDPR Art. 17).' },
    RECTIFICATION: { description: 'Correction of inaccurate data (GDPR Art. 16; HIPAA 164.526 amendment).' },
  },
});
registerEnumType(DataSubjectRequestStatus, {
  name: 'ComplianceRequestStatus',
  description: 'Where a data-subject request is.',
  valuesConfig: {
    RECEIVED: { description: 'Recorded; an export waits for the job.' },
    IN_PROGRESS: { description: 'Being processed (a deletion under a legal hold waits here, `held`).' },
    AWAITING_APPROVAL: { description: 'A deletion or rectification waiting for an owner’s or admin’s decision.' },
    COMPLETED: { description: 'Answered.' },
    REJECTED: { description: 'Refused, with the reason in `decisionNote`.' },
  },
});
registerEnumType(Regulation, {
  name: 'DataSubjectRegulation',
  description: 'The law the request is made under: it sets the due date.',
  valuesConfig: {
    GDPR: { description: 'One calendar month from receipt, extendable once by two months.' },
    HIPAA: { description: 'Access: 30 days; amendment: 60 days; each extendable once by 30 days. No erasure.' },
  },
});
registerEnumType(ExportFormat, {
  name: 'DataExportFormat',
  description: 'The file a data export is delivered as.',
  valuesConfig: {
    JSON: { description: 'One JSON document: every subgraph’s records (portable, Art. 20).' },
    CSV: { description: 'One row a record: subgraph, kind, id, data (as JSON).' },
    PDF: { description: 'A readable copy.' },
  },
});

export { DataSubjectRequestStatus, DataSubjectRequestType, ExportFormat, Regulation };

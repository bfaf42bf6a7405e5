import type { MigrationClass } from '../../platform/database';
import { ConsentRecords1796304549975 } from './1796304549975-ConsentRecords';
import { LegalHolds1796306180576 } from './1796306180576-LegalHolds';
import { RetentionPolicies1796400000003 } from './1796400000003-RetentionPolicies';
import { DataSubjectRequests1796407100000 } from './1796407100000-DataSubjectRequests';
import { AccessReviews1796612345000 } from './1796612345000-AccessReviews';

/** Applied in this order. */
export const complianceMigrations: MigrationClass[] = [
  ConsentRecords1796304549975,
  LegalHolds1796306180576,
  RetentionPolicies1796400000003,
  DataSubjectRequests1796407100000,
  AccessReviews1796612345000,
];

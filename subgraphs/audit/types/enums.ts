import { registerEnumType } from 'type-graphql';
import { SecurityEventStatus } from '../entities/security-event.entity';

export enum AuditActorType {
  USER = 'user',
  API_KEY = 'api_key',
  SYSTEM = 'system',
}
export enum AuditSeverity {
  INFO = 'info',
  WARNING = 'warning',
  ERROR = 'error',
  CRITICAL = 'critical',
}
export enum AuditOutcome {
  SUCCESS = 'success',
  DENIED = 'denied',
  FAILED = 'failed',
}
export enum AuditExportFormat {
  JSONL = 'jsonl',
  CSV = 'csv',
}
export enum ChainProblemKind {
  ALTERED = 'ALTERED',
  BROKEN_LINK = 'BROKEN_LINK',
  MISSING = 'MISSING',
  TRUNCATED = 'TRUNCATED',
  BAD_CHECKPOINT = 'BAD_CHECKPOINT',
}

registerEnumType(AuditActorType, { name: 'AuditActorType', description: 'Who acted: a person, an API key, or the platform itself.' });
registerEnumType(AuditSeverity, { name: 'AuditSeverity' });
registerEnumType(AuditOutcome, { name: 'AuditOutcome', description: 'How the action ended.' });
registerEnumType(AuditExportFormat, {
  name: 'AuditExportFormat',
  description: 'JSON lines (one event per line) or CSV with a header row.',
});
registerEnumType(ChainProblemKind, {
  name: 'AuditChainProblemKind',
  valuesConfig: {
    ALTERED: { description: "An event's content does not match its hash: it was edited." },
    BROKEN_LINK: { description: 'An event does not follow its predecessor: that one was edited and hashed again.' },
    MISSING: { description: 'A sequence number is skipped: an event was deleted.' },
    TRUNCATED: { description: 'The chain ends before a signed checkpoint: its tail was deleted.' },
    BAD_CHECKPOINT: { description: "A checkpoint's signature is not the audit log's." },
  },
});
registerEnumType(SecurityEventStatus, { name: 'SecurityEventStatus' });

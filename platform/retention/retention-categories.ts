import type { SubgraphName } from '../config';
import type { RetentionAction, RetentionCategory } from '../outbox/event-catalogue';

export type { RetentionAction, RetentionCategory };

/** What each data category is, who owns it, what may happen to it past its retention and within which bounds. */
export interface RetentionCategoryRule {
  /** The subgraph whose tables hold it: the only one that deletes or archives it. */
  owner: SubgraphName;
  /** For people: what a record of the category is. */
  label: string;
  actions: readonly RetentionAction[];
  minDays: number;
  maxDays: number;
}

/** Ten years: the longest any policy may keep data; a longer need is a legal hold's. */
const TEN_YEARS = 3_650;

export const RETENTION_CATEGORIES: { readonly [C in RetentionCategory]: RetentionCategoryRule } = {
  // Archiving keeps every event (hash included) in audit.archived_events, so the chain still
  // verifies; deleting from the chain is what verifyAuditChain reports as MISSING, so it is not offered.
  audit_events: { owner: 'audit', label: 'audit log events', actions: ['archive'], minDays: 1, maxDays: TEN_YEARS },
  call_records: {
    owner: 'analytics',
    label: 'call records and their quality figures',
    actions: ['delete'],
    minDays: 1,
    maxDays: TEN_YEARS,
  },
  recordings: {
    owner: 'analytics',
    label: 'call recordings, transcripts and summaries',
    actions: ['delete'],
    minDays: 1,
    maxDays: TEN_YEARS,
  },
  // Usage is what invoices were computed from: card networks let a payer dispute a charge for
  // up to 120 days (Visa and Mastercard chargeback windows), so it stays at least that long.
  usage: { owner: 'billing', label: 'metered usage records', actions: ['delete'], minDays: 120, maxDays: TEN_YEARS },
  sessions: {
    owner: 'identity',
    label: 'ended sign-in sessions (address and user agent)',
    actions: ['delete'],
    minDays: 1,
    maxDays: TEN_YEARS,
  },
};

export const RETENTION_CATEGORY_NAMES = Object.keys(RETENTION_CATEGORIES) as RetentionCategory[];

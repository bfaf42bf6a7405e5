import type { DataSource } from 'typeorm';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, NotFoundError } from '../../../platform/errors';
import { newId, parseId } from '../../../platform/ids';
import { ConsentRecord, ConsentSource, ConsentState } from '../entities/consent-record.entity';
import type { Caller } from './caller';
import { checkNoticeVersion, checkPurpose } from './consent-rules';
import type { MembershipService } from './membership.service';

/** The most records one list answers. */
export const MAX_LISTED = 500;

export interface ConsentChange {
  organizationId: string;
  /** Absent: the caller. */
  userId?: string | null;
  purpose: string;
  /** Absent: `api` for the caller's own, `import` for someone else's. */
  source?: ConsentSource | null;
  /** Only for an import: when the records say it happened (not in the future). Otherwise now. */
  at?: Date | null;
}

export interface GrantConsent extends ConsentChange {
  noticeVersion: string;
}

/**
 * Consent per person and purpose (GDPR Art. 7): every grant and withdrawal is a new row,
 * the current state is the latest. A member records their own (any role, `consent:update`);
 * an owner or admin records someone's from other records (`compliance:manage`, source
 * `import`) and reads everyone's (`compliance:read`). Everything is within the caller's
 * organization.
 */
export class ConsentService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly memberships: MembershipService,
  ) {}

  async grant(caller: Caller, input: GrantConsent): Promise<ConsentRecord> {
    const noticeVersion = checkNoticeVersion(input.noticeVersion, 'input.noticeVersion');
    return this.record(caller, input, ConsentState.GRANTED, async () => noticeVersion);
  }

  /** Withdrawing is one call, whatever was given before; the record keeps the notice version of the consent it withdraws. */
  async withdraw(caller: Caller, input: ConsentChange): Promise<ConsentRecord> {
    return this.record(caller, input, ConsentState.WITHDRAWN, async (organizationId, userId, purpose) => {
      const [latest] = await this.query(organizationId, { userId, purpose, state: ConsentState.GRANTED }).limit(1).getMany();
      return latest?.noticeVersion ?? null;
    });
  }

  /** The current state of each (person, purpose) of the organization: the caller's own, or with `compliance:read` anyone's or everyone's. */
  async current(
    caller: Caller,
    organizationId: string,
    filter: { userId?: string | null; purpose?: string | null } = {},
  ): Promise<ConsentRecord[]> {
    const userId = await this.readable(caller, organizationId, filter.userId);
    const purpose = filter.purpose == null ? undefined : checkPurpose(filter.purpose, 'purpose');
    const query = this.dataSource
      .getRepository(ConsentRecord)
      .createQueryBuilder('consent')
      .distinctOn(['consent.user_id', 'consent.purpose'])
      .where('consent.organization_id = :organizationId', { organizationId })
      .orderBy('consent.user_id')
      .addOrderBy('consent.purpose')
      .addOrderBy('consent.at', 'DESC')
      .addOrderBy('consent.id', 'DESC');
    if (userId) query.andWhere('consent.user_id = :userId', { userId });
    if (purpose) query.andWhere('consent.purpose = :purpose', { purpose });
    return query.limit(MAX_LISTED).getMany();
  }

  /** Every record of one person's consent, newest first: the caller's own, or anyone's with `compliance:read`. */
  async history(caller: Caller, organizationId: string, userId: string, purpose?: string | null): Promise<ConsentRecord[]> {
    const subject = (await this.readable(caller, organizationId, userId))!;
    return this.query(organizationId, {
      userId: subject,
      purpose: purpose == null ? undefined : checkPurpose(purpose, 'purpose'),
    })
      .limit(MAX_LISTED)
      .getMany();
  }

  private async record(
    caller: Caller,
    input: ConsentChange,
    state: ConsentState,
    noticeVersionFor: (organizationId: string, userId: string, purpose: string) => Promise<string | null>,
  ): Promise<ConsentRecord> {
    const { principal } = caller;
    assertOwnOrganization(principal, input.organizationId, 'input.organizationId');
    const purpose = checkPurpose(input.purpose, 'input.purpose');
    const userId = input.userId == null ? principal.userId : parseId('user', input.userId, 'input.userId');
    const onBehalf = userId !== principal.userId;
    let source: ConsentSource;
    let at = new Date();
    if (onBehalf) {
      await caller.require({ resource: 'compliance', action: 'manage' });
      if (input.source != null && input.source !== ConsentSource.IMPORT) {
        throw new BadUserInputError('input.source: consent recorded for someone else is an IMPORT of other records', 'input.source');
      }
      source = ConsentSource.IMPORT;
      const status = await this.memberships.statusOf(input.organizationId, userId);
      if (status !== 'active' && status !== 'suspended') throw new NotFoundError('Member', userId, 'input.userId');
      if (input.at != null) {
        if (!(input.at instanceof Date) || Number.isNaN(input.at.getTime()) || input.at > at) {
          throw new BadUserInputError('input.at: when the records say it happened, not in the future', 'input.at');
        }
        at = input.at;
      }
    } else {
      if (input.source === ConsentSource.IMPORT) {
        throw new BadUserInputError('input.source: IMPORT is for consent recorded for someone else; yours is WEB or API', 'input.source');
      }
      if (input.at != null) throw new BadUserInputError('input.at: only an import says when; your own consent is recorded now', 'input.at');
      source = input.source ?? ConsentSource.API;
    }
    const repository = this.dataSource.getRepository(ConsentRecord);
    return repository.save(
      repository.create({
        id: newId('consentRecord'),
        organizationId: input.organizationId,
        userId,
        purpose,
        state,
        noticeVersion: await noticeVersionFor(input.organizationId, userId, purpose),
        source,
        at,
        recordedById: principal.userId,
      }),
    );
  }

  /** The person whose consent may be read: the caller, or with `compliance:read` anyone (undefined: everyone). */
  private async readable(caller: Caller, organizationId: string, userId: string | null | undefined): Promise<string | undefined> {
    assertOwnOrganization(caller.principal, organizationId);
    const subject = userId == null ? undefined : parseId('user', userId, 'userId');
    if (subject !== caller.principal.userId) await caller.require({ resource: 'compliance', action: 'read' });
    return subject;
  }

  private query(organizationId: string, filter: { userId: string; purpose?: string; state?: ConsentState }) {
    const query = this.dataSource
      .getRepository(ConsentRecord)
      .createQueryBuilder('consent')
      .where('consent.organization_id = :organizationId AND consent.user_id = :userId', { organizationId, userId: filter.userId })
      .orderBy('consent.at', 'DESC')
      .addOrderBy('consent.id', 'DESC');
    if (filter.purpose) query.andWhere('consent.purpose = :purpose', { purpose: filter.purpose });
    if (filter.state) query.andWhere('consent.state = :state', { state: filter.state });
    return query;
  }
}

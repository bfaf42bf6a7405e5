import type { ClientInfo } from '../../../platform/client-info';
import { BadUserInputError, NotFoundError, RateLimitedError, UnauthenticatedError } from '../../../platform/errors';
import type { MfaEnrollmentView, MfaProof, MfaService } from './mfa.service';
import type { SignInProtectionService } from './sign-in-protection.service';
import type { SignInStateStore } from './sign-in-state.store';
import { MFA_CHALLENGE_PREFIX } from './sso-sign-in.service';
import type { PendingMfaChallenge, SsoSignInService, SsoSignedIn } from './sso-sign-in.service';
import type { UserService } from './user.service';

export const MFA_VERIFY_PATH = '/api/v1/auth/mfa/verify';
export const MFA_ENROLL_PATH = '/api/v1/auth/mfa/enroll';

/** A signed-in answer, with the recovery codes of an enrolment completed by it (shown this once). */
export interface MfaSignedIn extends SsoSignedIn {
  recoveryCodes: string[] | null;
}

/**
 * The second step of a sign-in that asked for a second factor (`SsoSignInService.complete`):
 * the challenge is taken from the sign-in state store, checked, and put back while it may still
 * be answered, so one challenge is answered by one request at a time. A right code starts the
 * session; a wrong one is a refusal fact (`mfa_code_invalid`) and counts towards the member's
 * lock-out, after which the challenge is gone. A challenge that requires enrolment answers only
 * `enroll` (the secret to scan) and then `verify` with the app's first code, which turns the
 * second factor on and answers the recovery codes with the session.
 */
export class MfaSignInService {
  constructor(
    private readonly mfa: MfaService,
    private readonly signIns: SsoSignInService,
    private readonly protection: SignInProtectionService,
    private readonly challenges: SignInStateStore,
    private readonly users: UserService,
    private readonly now: () => number = Date.now,
  ) {}

  /** The secret and otpauth:// URI of the enrolment a challenge requires (the same on each call). */
  async enroll(mfaToken: string): Promise<MfaEnrollmentView & { expiresAt: Date }> {
    const { key, pending } = await this.take(mfaToken);
    try {
      if (!pending.enrollmentRequired) {
        throw new BadUserInputError('mfa_token: this sign-in asks for a code of your authenticator app, not an enrolment', 'mfa_token');
      }
      const user = await this.users.findById(pending.userId);
      if (!user) throw new UnauthenticatedError('This sign-in is no longer valid: start it again', { reason: 'invalid_mfa_token' });
      const enrollment = await this.mfa.beginEnrollment(pending.userId, user.email);
      return { ...enrollment, expiresAt: new Date(pending.expiresAt) };
    } finally {
      await this.putBack(key, pending);
    }
  }

  /** Completes the sign-in with a code of the app or a recovery code: a session, or a refusal. */
  async verify(mfaToken: string, proof: MfaProof, client: ClientInfo): Promise<MfaSignedIn> {
    const { key, pending } = await this.take(mfaToken);
    const source = { id: pending.ssoConfigId, organizationId: pending.organizationId, providerType: pending.providerType };
    let keep = true;
    try {
      await this.protection.assertNotLocked(pending.organizationId, pending.userId);
      if (pending.enrollmentRequired) {
        if (proof.code === undefined) {
          throw new BadUserInputError('code: is required to complete the enrolment (the first code your authenticator app shows)', 'code');
        }
        const recoveryCodes = await this.mfa
          .tryConfirmEnrollment(pending.userId, pending.organizationId, proof.code, 'code')
          .catch((error: unknown) => {
            if (error instanceof NotFoundError) {
              throw new BadUserInputError(
                `mfa_token: set up the authenticator first (POST ${MFA_ENROLL_PATH}), then send its code`,
                'mfa_token',
              );
            }
            throw error;
          });
        if (!recoveryCodes) {
          const refusal = await this.wrongCode(source, pending, client, 'code');
          keep = refusal.extensions.reason !== 'locked_out';
          throw refusal;
        }
        keep = false;
        return { ...(await this.signIns.startSession(source, pending.userId, pending.provisioned, client, 'totp')), recoveryCodes };
      }
      const method = await this.mfa.verify(pending.userId, pending.organizationId, proof);
      if (!method) {
        const refusal = await this.wrongCode(source, pending, client, proof.code !== undefined ? 'code' : 'recovery_code');
        keep = refusal.extensions.reason !== 'locked_out';
        throw refusal;
      }
      keep = false;
      return { ...(await this.signIns.startSession(source, pending.userId, pending.provisioned, client, method)), recoveryCodes: null };
    } catch (error) {
      // A locked-out member's challenge is over: they start again once the lock-out has ended.
      if (error instanceof RateLimitedError) keep = false;
      throw error;
    } finally {
      if (keep) await this.putBack(key, pending);
    }
  }

  /** The refusal of a wrong code: a fact, a failure of the member, and the error (naming a lock-out it caused). */
  private async wrongCode(
    source: { id: string; organizationId: string; providerType: PendingMfaChallenge['providerType'] },
    pending: PendingMfaChallenge,
    client: ClientInfo,
    field: 'code' | 'recovery_code',
  ): Promise<UnauthenticatedError> {
    await this.signIns.refused(source, 'mfa_code_invalid', `A wrong ${field === 'code' ? 'code' : 'recovery code'} was presented`, {
      userId: pending.userId,
    });
    const locked = await this.protection.failedForMember(pending.organizationId, pending.userId, client.ip);
    return new UnauthenticatedError(
      locked
        ? 'Too many wrong codes: your account is locked for a while, or until an admin of the organization unlocks it'
        : `${field}: is not valid (or was already used): try the current one`,
      { reason: locked ? 'locked_out' : 'mfa_code_invalid', field },
    );
  }

  private async take(mfaToken: string): Promise<{ key: string; pending: PendingMfaChallenge }> {
    const key = `mfa:${mfaToken}`;
    const pending =
      mfaToken.startsWith(MFA_CHALLENGE_PREFIX) && mfaToken.length <= 100
        ? await this.challenges.take<PendingMfaChallenge>(key)
        : undefined;
    if (!pending || pending.expiresAt <= this.now()) {
      throw new UnauthenticatedError('This sign-in is unknown, already completed or expired (mfa_token): sign in again', {
        reason: 'invalid_mfa_token',
        field: 'mfa_token',
      });
    }
    return { key, pending };
  }

  private async putBack(key: string, pending: PendingMfaChallenge): Promise<void> {
    const left = pending.expiresAt - this.now();
    if (left > 0) await this.challenges.put(key, pending, left);
  }
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Whether a person has a second factor (TOTP) turned on, from identity's `identity.mfa.changed` facts: a person's, whichever organization they changed it in. */
@Entity({ name: 'mfa_enrollments' })
export class MfaEnrollment {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @Column({ type: 'boolean' })
  enabled: boolean;

  /** The sequence of the identity event this row reflects: only a later one changes it. */
  @Column({ name: 'source_sequence', type: 'bigint' })
  sourceSequence: string;
}

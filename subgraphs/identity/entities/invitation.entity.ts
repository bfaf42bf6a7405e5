import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Organization } from './organization.entity';
import { User } from './user.entity';
import { PersonalData } from '../../../platform/personal-data/personal-data-directive';

/** Where an invitation stands. `expired` is stored once a new invitation replaces a lapsed one; until then a lapsed `pending` one reads as expired. */
export enum InvitationStatus {
  PENDING = 'pending',
  ACCEPTED = 'accepted',
  DECLINED = 'declined',
  REVOKED = 'revoked',
  EXPIRED = 'expired',
}
registerEnumType(InvitationStatus, {
  name: 'InvitationStatus',
  description: 'Where an invitation stands.',
  valuesConfig: {
    PENDING: { description: 'Sent, waiting for the invitee; can still be accepted, declined or revoked.' },
    ACCEPTED: { description: 'The invitee accepted it and is a member.' },
    DECLINED: { description: 'The invitee declined it.' },
    REVOKED: { description: 'The organization took it back before it was answered.' },
    EXPIRED: { description: 'It was not answered in time.' },
  },
});

@Entity({ name: 'invitations' })
// One open invitation per person and organization.
@Index('invitations_pending_email_key', ['organizationId', 'email'], { unique: true, where: `status = 'pending'` })
@ObjectType('Invitation', {
  description:
    'An invitation to join an organization, which the person invited accepts or declines. Shows nothing about them but the email it was sent to.',
})
export class Invitation {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  @Field(() => ID, { description: 'Invitation id, `invitation_…`.' })
  id: string;

  @Index('invitations_organization_id_idx')
  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  /** Stored lowercased, like users' emails. */
  @Column({ type: 'varchar', length: 320 })
  @PersonalData('contact')
  @Field(() => String, { description: 'The address the invitation is for.' })
  email: string;

  @Column({ name: 'role_id', type: 'varchar', length: 64 })
  @Field(() => ID, {
    description:
      'The role the person gets on accepting: `role_member` unless the inviter chose another (and `role_member` if that role has been deleted by then).',
  })
  roleId: string;

  @Column({ type: 'enum', enum: InvitationStatus, enumName: 'invitation_status', default: InvitationStatus.PENDING })
  status: InvitationStatus;

  /** SHA-256 of the secret token, hex: the token itself is shown once and never stored. */
  @Index('invitations_token_hash_key', { unique: true })
  @Column({ name: 'token_hash', type: 'char', length: 64 })
  tokenHash: string;

  @Column({ name: 'invited_by_id', type: 'varchar', length: 64, nullable: true })
  invitedById: string | null;

  @ManyToOne(() => User, { onDelete: 'SET NULL' })
  @JoinColumn({ name: 'invited_by_id' })
  invitedBy?: User;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  @Field(() => Date, { description: 'After this instant it can no longer be accepted.' })
  expiresAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  @Field(() => Date)
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  @Field(() => Date, { description: 'When it was last answered, revoked or sent.' })
  updatedAt: Date;

  /** Set only on the invitation `inviteMember` returns. */
  @Field(() => String, {
    nullable: true,
    description:
      'The secret that lets the invitee accept or decline (`acceptInvitation`, `declineInvitation`). Only in the answer to `inviteMember`: it is stored hashed and cannot be shown again. AuraLink sends no email: deliver it to the person yourself, for example in a link to your sign-up page.',
  })
  token?: string | null;
}

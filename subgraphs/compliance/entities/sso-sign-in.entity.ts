import { Column, Entity, PrimaryColumn } from 'typeorm';

/** When each member last signed in through their organization's identity provider, from identity's `identity.sso.login_succeeded` facts. */
@Entity({ name: 'sso_sign_ins' })
export class SsoSignIn {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @Column({ name: 'last_signed_in_at', type: 'timestamptz' })
  lastSignedInAt: Date;
}

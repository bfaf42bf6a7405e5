import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Audit's own Ed25519 key for checkpoints; the private half sealed under SECRETS_KEY (platform/secrets.ts). */
@Entity({ name: 'signing_keys' })
export class AuditSigningKey {
  /** `key_…` */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  /** SPKI PEM. */
  @Column({ name: 'public_key', type: 'text' })
  publicKey: string;

  /** PKCS#8 PEM, sealed (AES-256-GCM). */
  @Column({ name: 'private_key_sealed', type: 'text' })
  privateKeySealed: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}

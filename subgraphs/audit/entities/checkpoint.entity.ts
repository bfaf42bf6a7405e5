import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A signed statement "organization O's chain had sequence N with hash H at time T" (Ed25519,
 * audit's signing key), as CloudTrail's digest files do: a tail deleted after it is detected,
 * because the chain no longer reaches N, and the signature cannot be forged without the key.
 */
@Entity({ name: 'checkpoints' })
export class Checkpoint {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @PrimaryColumn({ type: 'bigint' })
  sequence: string;

  @Column({ type: 'char', length: 64 })
  hash: string;

  @Column({ name: 'signed_at', type: 'timestamptz' })
  signedAt: Date;

  @Column({ name: 'key_id', type: 'varchar', length: 64 })
  keyId: string;

  /** Ed25519 over the checkpoint's canonical JSON, base64url. */
  @Column({ type: 'text' })
  signature: string;
}

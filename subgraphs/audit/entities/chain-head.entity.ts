import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * The end of one organization's hash chain: its last sequence number and hash. Ingest locks
 * this row (`SELECT … FOR UPDATE`), so events of one organization are chained in order while
 * other organizations' batches proceed in parallel: there is no global lock.
 */
@Entity({ name: 'chain_heads' })
export class ChainHead {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @Column({ type: 'bigint' })
  sequence: string;

  /** SHA-256, hex; 64 zeros before the first event. */
  @Column({ type: 'char', length: 64 })
  hash: string;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}

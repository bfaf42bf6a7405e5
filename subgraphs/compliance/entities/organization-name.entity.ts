import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Each organization's name, from identity's facts (created, renamed): the compliance report's PDF names it. */
@Entity({ name: 'organizations' })
export class ComplianceOrganization {
  @PrimaryColumn({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /** The sequence of the identity event this row reflects: only a later one changes it. */
  @Column({ name: 'source_sequence', type: 'bigint' })
  sourceSequence: string;
}

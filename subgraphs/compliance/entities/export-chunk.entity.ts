import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One piece of an export's file, in order: the file is written and read a piece at a time, so
 * neither the export nor its download holds it whole in memory. Deleted once downloaded.
 */
@Entity({ name: 'export_chunks' })
export class ExportChunk {
  @PrimaryColumn({ name: 'request_id', type: 'varchar', length: 40 })
  requestId: string;

  @PrimaryColumn({ type: 'integer' })
  sequence: number;

  @Column({ type: 'bytea' })
  content: Buffer;
}

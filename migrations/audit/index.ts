import type { MigrationClass } from '../../platform/database';
import { AuditTrail1796194328019 } from './1796194328019-AuditTrail';
import { SiemSinks1796195924409 } from './1796195924409-SiemSinks';
import { Outbox1796400000002 } from './1796400000002-Outbox';
import { AnonymisableEvents1796407000000 } from './1796407000000-AnonymisableEvents';
import { ArchivedEventsByActor1796407200001 } from './1796407200001-ArchivedEventsByActor';
import { RareValueIndexes1796592000000 } from './1796592000000-RareValueIndexes';
import { SearchTrigramIndex1796592000001 } from './1796592000001-SearchTrigramIndex';

/** Applied in this order. */
export const auditMigrations: MigrationClass[] = [
  AuditTrail1796194328019,
  SiemSinks1796195924409,
  Outbox1796400000002,
  AnonymisableEvents1796407000000,
  ArchivedEventsByActor1796407200001,
  RareValueIndexes1796592000000,
  SearchTrigramIndex1796592000001,
];

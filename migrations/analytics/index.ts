import type { MigrationClass } from '../../platform/database';
import { Initial1795320698582 } from './1795320698582-Initial';
import { CallsAiUsageAndInsights1796194896718 } from './1796194896718-CallsAiUsageAndInsights';
import { Recordings1796286351281 } from './1796286351281-Recordings';
import { CustomReports1796286476286 } from './1796286476286-CustomReports';
import { AiUsageByPerson1796407200000 } from './1796407200000-AiUsageByPerson';

/** Applied in this order. */
export const analyticsMigrations: MigrationClass[] = [
  Initial1795320698582,
  CallsAiUsageAndInsights1796194896718,
  Recordings1796286351281,
  CustomReports1796286476286,
  AiUsageByPerson1796407200000,
];

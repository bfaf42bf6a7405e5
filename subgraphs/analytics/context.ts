import type { SubgraphContext } from '../../platform/context';
import type { AnalyticsServices } from './services';

export type AnalyticsContext = SubgraphContext<AnalyticsServices, Record<string, never>>;

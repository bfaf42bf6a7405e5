import type { SubgraphContext } from '../../platform/context';
import type { BillingLoaders } from './loaders';
import type { BillingServices } from './services';

export type BillingContext = SubgraphContext<BillingServices, BillingLoaders>;

import { Initial1795315814601 } from './1795315814601-Initial';
import { SeedPlans1795315814602 } from './1795315814602-SeedPlans';
import { SubscriptionsAndUsage1795349323767 } from './1795349323767-SubscriptionsAndUsage';
import { Invoices1795350329085 } from './1795350329085-Invoices';
import { StripeMirror1795350795434 } from './1795350795434-StripeMirror';
import { ApiCallsUsage1796306500001 } from './1796306500001-ApiCallsUsage';

/** Applied in this order. */
export const billingMigrations = [
  Initial1795315814601,
  SeedPlans1795315814602,
  SubscriptionsAndUsage1795349323767,
  Invoices1795350329085,
  StripeMirror1795350795434,
  ApiCallsUsage1796306500001,
];

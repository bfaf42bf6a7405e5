import express from 'express';
import type { Express } from 'express';
import type { SubgraphDependencies } from '../../platform/subgraph';
import type { BillingServices } from './services';
import { InvalidWebhookSignature } from './services/stripe-webhook.service';

export const STRIPE_WEBHOOK_PATH = '/api/v1/billing/webhooks/stripe';

/**
 * `POST /api/v1/billing/webhooks/stripe` on billing's own HTTP server, when
 * STRIPE_WEBHOOK_SECRET is set: 200 `{ received, outcome }` for a verified event (a replay
 * answers `duplicate` and changes nothing), 400 for a bad or stale signature.
 */
export function billingRoutes(app: Express, services: BillingServices, _dependencies: SubgraphDependencies): void {
  const webhooks = services.stripeWebhooks;
  if (!webhooks) return;
  app.post(STRIPE_WEBHOOK_PATH, express.raw({ type: '*/*', limit: '1mb' }), async (req, res, next) => {
    try {
      const outcome = await webhooks.handle(req.body as Buffer, req.header('stripe-signature'));
      res.json({ received: true, outcome });
    } catch (error) {
      if (error instanceof InvalidWebhookSignature) {
        res
          .status(400)
          .json({ error: { code: 'BAD_USER_INPUT', message: 'Stripe-Signature did not verify (bad signature or older than 300 s)' } });
        return;
      }
      next(error);
    }
  });
}

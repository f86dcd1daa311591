/** Add-on minute bundles (SPEC §6): buy one, list them with what is left. */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BillingService } from '../billing-service.js';
import { accountParamsSchema, BEARER_SECURITY, errorResponses, instantSchema } from './common-schemas.js';
import { bundleSchema } from './document-schemas.js';

const buyBodySchema = z.strictObject({
  bundle: z.string().min(1).meta({ description: 'a bundle id of the tariff', examples: ['topup-200'] }),
  purchased_at: instantSchema.optional().meta({ description: 'default: now' }),
});

export const bundleRoutes: FastifyPluginCallbackZod<{ service: BillingService }> = (app, { service }, done) => {
  app.post('/accounts/:account_id/bundles', {
    config: { access: 'operator' },
    schema: {
      summary: 'Buy a bundle',
      description: 'Billed on the invoice of the period it is bought in; its minutes are drawn after the included minutes, expiring first. Operator key only.',
      tags: ['bundles'],
      security: BEARER_SECURITY,
      params: accountParamsSchema,
      body: buyBodySchema,
      response: { 201: bundleSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => reply.status(201).send(await service.buyBundle(request.params.account_id, request.body, new Date())),
  });

  app.get('/accounts/:account_id/bundles', {
    config: { access: 'account' },
    schema: {
      summary: 'List bundles',
      description: 'Every bundle the account bought, with the seconds left now.',
      tags: ['bundles'],
      security: BEARER_SECURITY,
      params: accountParamsSchema,
      response: { 200: z.object({ items: z.array(bundleSchema) }), ...errorResponses(401, 404) },
    },
    handler: async (request) => ({ items: await service.listBundles(request.params.account_id, new Date()) }),
  });
  done();
};

/** What an account's dashboard shows (SPEC §10) and whether a call may start (SPEC §12). */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BillingService } from '../billing-service.js';
import { accountParamsSchema, BEARER_SECURITY, errorResponses, instantSchema } from './common-schemas.js';
import { authorizationSchema, usageSchema } from './document-schemas.js';

export const usageRoutes: FastifyPluginCallbackZod<{ service: BillingService }> = (app, { service }, done) => {
  app.get('/accounts/:account_id/usage', {
    config: { access: 'account' },
    schema: {
      summary: 'Usage at an instant',
      description:
        'Included minutes used and left, bundles, pay-as-you-go so far, estimated cost so far and forecast for the period containing `at`. Calls count once they have ended by `at`.',
      tags: ['usage'],
      security: BEARER_SECURITY,
      params: accountParamsSchema,
      querystring: z.object({ at: instantSchema.optional().meta({ description: 'default: now' }) }),
      response: { 200: usageSchema, ...errorResponses(400, 401, 404, 409) },
    },
    handler: async (request) => service.usage(request.params.account_id, request.query.at === undefined ? new Date() : new Date(request.query.at)),
  });

  app.post('/accounts/:account_id/authorize', {
    config: { access: 'account' },
    schema: {
      summary: 'May a call start?',
      description:
        'Whether a call may start now (or at `at`) and its `max_seconds`: the longest call the remaining included and bundle minutes (and, with overage allowed, the spend cap) can pay for at that destination\'s rate. `null` means unlimited. Nothing is reserved.',
      tags: ['usage'],
      security: BEARER_SECURITY,
      params: accountParamsSchema,
      body: z.object({
        direction: z.enum(['inbound', 'outbound', 'web']),
        to: z.string().min(1).optional().meta({ description: 'the destination (outbound) or the number called (inbound), E.164' }),
        at: instantSchema.optional().meta({ description: 'default: now' }),
      }),
      response: { 200: authorizationSchema, ...errorResponses(400, 401, 404, 409) },
    },
    handler: async (request) => service.authorize(request.params.account_id, request.body, new Date()),
  });
  done();
};

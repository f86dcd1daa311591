/** Rented phone numbers (SPEC §8): rent, release, list with each number's next charge. */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BillingService } from '../billing-service.js';
import { accountIdSchema, accountParamsSchema, BEARER_SECURITY, errorResponses, instantSchema } from './common-schemas.js';
import { numberSchema } from './document-schemas.js';

const rentBodySchema = z.strictObject({
  number: z.string().min(1).meta({ description: 'E.164; spaces, dashes and brackets are ignored', examples: ['+12125550142'] }),
  type: z.string().min(1).meta({ description: '`local`, `mobile`, `toll_free` or `national`' }),
  country: z.string().optional().meta({ description: 'ISO 3166 alpha-2; by default the country of the number' }),
  rented_at: instantSchema.optional().meta({ description: 'default: now' }),
});

const releaseBodySchema = z.strictObject({ released_at: instantSchema.optional().meta({ description: 'default: now' }) }).nullish();

export const numberRoutes: FastifyPluginCallbackZod<{ service: BillingService }> = (app, { service }, done) => {
  app.post('/accounts/:account_id/numbers', {
    config: { access: 'operator' },
    schema: {
      summary: 'Rent a number',
      description: 'The number is charged its monthly fee when rented and on every monthly anniversary until released. Operator key only.',
      tags: ['numbers'],
      security: BEARER_SECURITY,
      params: accountParamsSchema,
      body: rentBodySchema,
      response: { 201: numberSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request, reply) => reply.status(201).send(await service.rentNumber(request.params.account_id, request.body, new Date())),
  });

  app.post('/accounts/:account_id/numbers/:number/release', {
    config: { access: 'operator' },
    schema: {
      summary: 'Release a number',
      description: 'Stops future charges; releasing never refunds a part month. The body is optional. Operator key only.',
      tags: ['numbers'],
      security: BEARER_SECURITY,
      params: z.object({ account_id: accountIdSchema, number: z.string().min(1).meta({ description: 'E.164, `+` written as is or as `%2B`' }) }),
      body: releaseBodySchema,
      response: { 200: numberSchema, ...errorResponses(400, 401, 403, 404, 409) },
    },
    handler: async (request) => service.releaseNumber(request.params.account_id, request.params.number, request.body ?? {}, new Date()),
  });

  app.get('/accounts/:account_id/numbers', {
    config: { access: 'account' },
    schema: {
      summary: 'List rented numbers',
      description: 'Every number the account rents or has rented, with its next charge.',
      tags: ['numbers'],
      security: BEARER_SECURITY,
      params: accountParamsSchema,
      response: { 200: z.object({ items: z.array(numberSchema) }), ...errorResponses(401, 404) },
    },
    handler: async (request) => ({ items: await service.listNumbers(request.params.account_id, new Date()) }),
  });
  done();
};

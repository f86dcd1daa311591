/** Accounts (SPEC §13): create or update one, read it, page through all, make its API key. */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BillingService } from '../billing-service.js';
import { accountParamsSchema, BEARER_SECURITY, errorResponses, pageSchema, pagingQueryFields } from './common-schemas.js';
import { accountSchema } from './document-schemas.js';

// Types and shape only; the service checks the rules (known plan, IANA zone, anchor date,
// a number not rented twice) against the tariff and names the field.
const accountBodySchema = z
  .looseObject({
    name: z.string().optional(),
    plan: z.string().meta({ description: 'a plan id of the tariff; a change on an existing account starts with its next period' }),
    timezone: z.string().meta({ description: 'IANA time zone', examples: ['America/New_York'] }),
    billing_anchor: z.string().meta({ description: 'local date the subscription started (periods start on its day)', examples: ['2026-01-15'] }),
    country: z.string().meta({ description: 'ISO 3166 alpha-2; decides the tax rate', examples: ['US'] }),
    overage: z.enum(['allow', 'block']).optional(),
    spend_cap: z.string().optional().meta({ description: 'per-period cap on pay-as-you-go money, decimal string' }),
    bundles: z.array(z.looseObject({ bundle: z.string(), purchased_at: z.string() })).nullish(),
    numbers: z
      .array(
        z.looseObject({
          number: z.string(),
          type: z.string(),
          country: z.string().optional(),
          rented_at: z.string(),
          released_at: z.string().nullish(),
        }),
      )
      .nullish(),
  })
  .meta({ id: 'AccountDocument', description: 'One account as in SPEC §13. Bundles and numbers listed here are added when new.' });

export const accountRoutes: FastifyPluginCallbackZod<{ service: BillingService }> = (app, { service }, done) => {
  app.put('/accounts/:account_id', {
    config: { access: 'operator' },
    schema: {
      summary: 'Create or update an account',
      description: 'Answers 201 when the account was created, 200 when it was updated. Operator key only.',
      tags: ['accounts'],
      security: BEARER_SECURITY,
      params: accountParamsSchema,
      body: accountBodySchema,
      response: { 200: accountSchema, 201: accountSchema, ...errorResponses(400, 401, 403, 409, 413) },
    },
    handler: async (request, reply) => {
      const { account, created } = await service.putAccount(request.params.account_id, request.body);
      return reply.status(created ? 201 : 200).send(account);
    },
  });

  app.get('/accounts/:account_id', {
    config: { access: 'account' },
    schema: {
      summary: 'Read an account',
      tags: ['accounts'],
      security: BEARER_SECURITY,
      params: accountParamsSchema,
      response: { 200: accountSchema, ...errorResponses(401, 404) },
    },
    handler: async (request) => service.getAccount(request.params.account_id),
  });

  app.get('/accounts', {
    config: { access: 'operator' },
    schema: {
      summary: 'List accounts',
      description: 'Ordered by account id, a page at a time: pass `next` as `after` for the following page. Operator key only.',
      tags: ['accounts'],
      security: BEARER_SECURITY,
      querystring: z.object(pagingQueryFields),
      response: { 200: pageSchema(accountSchema), ...errorResponses(400, 401, 403) },
    },
    handler: async (request) => service.listAccounts({ after: request.query.after, limit: request.query.limit }),
  });

  app.post('/accounts/:account_id/keys', {
    config: { access: 'operator' },
    schema: {
      summary: 'Make an API key for an account',
      description:
        'The key is shown in this answer only: store it now. With it the account can read its own usage, calls, invoices, numbers and bundles, authorize calls, and manage its alert rules. Operator key only.',
      tags: ['accounts'],
      security: BEARER_SECURITY,
      params: accountParamsSchema,
      response: { 201: z.object({ key: z.string(), account_id: z.string() }), ...errorResponses(401, 403, 404) },
    },
    handler: async (request, reply) => reply.status(201).send(await service.createAccountKey(request.params.account_id)),
  });
  done();
};

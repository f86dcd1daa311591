/** `PUT /v1/tariff` and `GET /v1/tariff`: the one tariff in force, versioned (SPEC §13). */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BillingService } from '../billing-service.js';
import { BEARER_SECURITY, errorResponses } from './common-schemas.js';
import { tariffVersionSchema } from './document-schemas.js';
import { LARGE_BODY_LIMIT } from './body-limits.js';

// Types and shape only: the service checks every rule (positive prices, known increments,
// ISO codes, unknown fields) and names the field, as the batch commands do. Money is a
// decimal string (SPEC §1), never a JSON number.
const money = z.string().meta({ description: 'decimal string', examples: ['0.10'] });
const increment = z.union([z.string(), z.number().int()]).meta({ description: '`I/R` (initial / recurring seconds) or `N`', examples: ['60/6', 1] });

const tariffBodySchema = z
  .looseObject({
    currency: z.string().meta({ description: 'ISO 4217 code', examples: ['USD'] }),
    plans: z.record(
      z.string(),
      z.looseObject({
        name: z.string().optional(),
        monthly_fee: money,
        included_minutes: z.union([z.number(), z.string()]).optional(),
        minute_price: money,
        rounding: increment.optional(),
        carrier: z.enum(['minutes', 'passthrough']).optional(),
        overage: z.enum(['allow', 'block']).optional(),
        free_below_seconds: z.number().int().optional(),
      }),
    ),
    bundles: z.record(z.string(), z.looseObject({ minutes: z.union([z.number(), z.string()]), price: money, valid_days: z.number().int().optional() })).optional(),
    carrier_rates: z
      .array(
        z.looseObject({
          direction: z.enum(['inbound', 'outbound']),
          prefix: z.union([z.string(), z.number().int()]),
          country: z.string(),
          per_minute: money,
          connect_fee: money.optional(),
          increment: increment.optional(),
          effective_from: z.string().nullable().optional(),
        }),
      )
      .optional()
      .meta({ description: 'the rate deck inline (SPEC §5); a file path is not accepted over HTTP' }),
    surcharges: z.array(z.looseObject({ country: z.string(), per_minute: money.optional(), per_call: money.optional() })).optional(),
    numbers: z.array(z.looseObject({ country: z.string(), type: z.string(), monthly_fee: money })).optional(),
    taxes: z.array(z.looseObject({ country: z.string(), percent: z.string() })).optional(),
  })
  .meta({ id: 'Tariff', description: 'A tariff document as in SPEC §13, JSON, carrier rates inline.' });

export const tariffRoutes: FastifyPluginCallbackZod<{ service: BillingService }> = (app, { service }, done) => {
  app.put('/tariff', {
    bodyLimit: LARGE_BODY_LIMIT,
    config: { access: 'operator' },
    schema: {
      summary: 'Load a new tariff',
      description:
        'Replaces the tariff in force with a new version. Calls already rated keep the figures they were rated with. Operator key only. Body up to 16 MB (large rate decks).',
      tags: ['tariff'],
      security: BEARER_SECURITY,
      body: tariffBodySchema,
      response: { 200: tariffVersionSchema, ...errorResponses(400, 401, 403, 413) },
    },
    handler: async (request) => service.putTariff(request.body),
  });

  app.get('/tariff', {
    config: { access: 'operator' },
    schema: {
      summary: 'Read the tariff in force',
      tags: ['tariff'],
      security: BEARER_SECURITY,
      response: { 200: tariffVersionSchema, ...errorResponses(401, 403, 409) },
    },
    handler: async () => service.getTariff(),
  });
  done();
};

/** Call records: send a batch (SPEC §2, §16), read the call log, read one call. */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ServiceError } from '../service-error.js';
import type { BillingService } from '../billing-service.js';
import { callerOf } from './authentication.js';
import { LARGE_BODY_LIMIT } from './body-limits.js';
import { accountParamsSchema, BEARER_SECURITY, errorBodySchema, errorResponses, instantSchema, pageSchema, pagingQueryFields } from './common-schemas.js';
import { callResultSchema, callSchema } from './document-schemas.js';
import { ingestStatus } from './ingest-status.js';

export const MAX_CALLS_PER_REQUEST = 10_000;

// Each record is checked by the service, one by one: a bad record gets a `rejected` result
// and the records around it are still rated, so the HTTP layer must not refuse the batch
// for one record's shape.
const callRecordSchema = z.unknown().meta({
  description:
    'A call record in the generic format of SPEC §2: `call_id`, `account_id`, `direction` (`inbound`, `outbound`, `web`), `from`, `to`, `started_at`, `answered_at` (empty or absent if never answered), `ended_at`, `end_reason`.',
  examples: [
    {
      call_id: 'call-00001',
      account_id: 'acme-dental',
      direction: 'inbound',
      from: '+12125550100',
      to: '+12125550142',
      started_at: '2026-11-16T10:00:00-05:00',
      answered_at: '2026-11-16T10:00:03-05:00',
      ended_at: '2026-11-16T10:02:34-05:00',
      end_reason: 'customer-ended-call',
    },
  ],
});

const ingestBodySchema = z.object({ calls: z.array(callRecordSchema).min(1).max(MAX_CALLS_PER_REQUEST) });
const ingestAnswerSchema = z.object({ results: z.array(callResultSchema) });

const INGEST_DESCRIPTION = `Rates up to ${MAX_CALLS_PER_REQUEST.toLocaleString('en-US')} call records and answers one result per record, in the order sent: \`rated\` (with the SPEC §13 rate fields and how the call drew on balances), \`duplicate\` (the same record was already taken: billed once) or \`rejected\` (with a reason). Good records are kept whatever the others; a rejected record changes nothing.

Status: **200** when at least one record was rated or was a duplicate; when every record was refused, **409** if all of them are \`conflicting_duplicate\` (a known call id with different fields), else **422**. In every case the body carries the per-record results. Sending the same batch again is safe.

A call arriving after its period closed is rated against that period as it was and billed as an adjustment on the next invoice (\`late: true\`). Operator key only; body up to 16 MB.`;

export const callRoutes: FastifyPluginCallbackZod<{ service: BillingService }> = (app, { service }, done) => {
  app.post('/calls', {
    bodyLimit: LARGE_BODY_LIMIT,
    config: { access: 'operator' },
    schema: {
      summary: 'Send call records',
      description: INGEST_DESCRIPTION,
      tags: ['calls'],
      security: BEARER_SECURITY,
      body: ingestBodySchema,
      // 409 is also the answer when no tariff is loaded yet: then it is the error shape.
      response: { 200: ingestAnswerSchema, 409: z.union([ingestAnswerSchema, errorBodySchema]), 422: ingestAnswerSchema, ...errorResponses(400, 401, 403, 413) },
    },
    handler: async (request, reply) => {
      const results = await service.ingestCalls(request.body.calls, new Date());
      return reply.status(ingestStatus(results)).send({ results });
    },
  });

  app.get('/accounts/:account_id/calls', {
    config: { access: 'account' },
    schema: {
      summary: 'List an account\'s calls',
      description: 'The call log, each call with its breakdown, a page at a time (pass `next` as `after`). Filter by `direction` and by the time range [`from`, `to`).',
      tags: ['calls'],
      security: BEARER_SECURITY,
      params: accountParamsSchema,
      querystring: z.object({
        ...pagingQueryFields,
        direction: z.enum(['inbound', 'outbound', 'web']).optional(),
        from: instantSchema.optional().meta({ description: 'calls at or after this instant' }),
        to: instantSchema.optional().meta({ description: 'calls before this instant' }),
      }),
      response: { 200: pageSchema(callSchema), ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => service.listCalls(request.params.account_id, request.query),
  });

  app.get('/calls/:call_id', {
    // Any key: an account key sees its own account's calls only, checked below once the
    // call's account is known.
    config: { access: 'any-key' },
    schema: {
      summary: 'Read one call',
      description: 'A call with its full breakdown. An account key sees only its own account\'s calls.',
      tags: ['calls'],
      security: BEARER_SECURITY,
      params: z.object({ call_id: z.string().min(1) }),
      response: { 200: callSchema, ...errorResponses(401, 404) },
    },
    handler: async (request) => {
      const caller = callerOf(request);
      const { call_id: callId } = request.params;
      // One message whether the call is another account's or does not exist.
      const notFound = new ServiceError('not_found', `call "${callId}" not found`);
      let call;
      try {
        call = await service.getCall(callId);
      } catch (error) {
        if (caller.kind === 'account' && error instanceof ServiceError && error.code === 'not_found') throw notFound;
        throw error;
      }
      if (caller.kind === 'account' && call.account_id !== caller.accountId) throw notFound;
      return call;
    },
  });
  done();
};

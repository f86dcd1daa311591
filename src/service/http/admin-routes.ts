/** Operator maintenance: check the ledger against the calls, close periods now. */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BillingService } from '../billing-service.js';
import { BEARER_SECURITY, errorResponses } from './common-schemas.js';
import { doctorReportSchema } from './document-schemas.js';

export const adminRoutes: FastifyPluginCallbackZod<{ service: BillingService }> = (app, { service }, done) => {
  app.get('/admin/doctor', {
    config: { access: 'operator' },
    schema: {
      summary: 'Check the books',
      description: 'Recomputes balances and totals from the stored calls and lists every difference from the ledger. Operator key only.',
      tags: ['admin'],
      security: BEARER_SECURITY,
      response: { 200: doctorReportSchema, ...errorResponses(401, 403) },
    },
    handler: async () => service.doctor(),
  });

  app.post('/admin/close-due-periods', {
    config: { access: 'operator' },
    schema: {
      summary: 'Close due periods now',
      description: 'Closes every period that ended (plus the grace) by now and numbers its invoice; `voicebill serve` also does this on a timer. Operator key only.',
      tags: ['admin'],
      security: BEARER_SECURITY,
      response: { 200: z.object({ closed: z.number().int().meta({ description: 'how many periods were closed' }) }), ...errorResponses(401, 403) },
    },
    handler: async () => ({ closed: await service.closeDuePeriods(new Date()) }),
  });
  done();
};

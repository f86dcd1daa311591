/** Invoices (SPEC §9, §16): the list, and one period's invoice as JSON, text, CSV or PDF. */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BillingService } from '../billing-service.js';
import { accountIdSchema, accountParamsSchema, BEARER_SECURITY, errorResponses, monthSchema } from './common-schemas.js';
import { invoiceSchema, invoiceSummarySchema } from './document-schemas.js';
import { chooseInvoiceFormat, CONTENT_TYPE_OF, INVOICE_FORMATS, invoiceFileName, renderInvoice } from './invoice-rendering.js';

export const invoiceRoutes: FastifyPluginCallbackZod<{ service: BillingService }> = (app, { service }, done) => {
  app.get('/accounts/:account_id/invoices', {
    config: { access: 'account' },
    schema: {
      summary: 'List invoices',
      description: 'Every period of the account so far: closed invoices with their numbers, and the draft of the open period.',
      tags: ['invoices'],
      security: BEARER_SECURITY,
      params: accountParamsSchema,
      response: { 200: z.object({ items: z.array(invoiceSummarySchema) }), ...errorResponses(401, 404, 409) },
    },
    handler: async (request) => ({ items: await service.listInvoices(request.params.account_id, new Date()) }),
  });

  app.get('/accounts/:account_id/invoices/:month', {
    config: { access: 'account' },
    schema: {
      summary: 'One invoice',
      description:
        'The invoice of the period starting in `month`, in the SPEC §13 JSON shape (a draft while the period is open). For people: `?format=text|csv|pdf`, or an Accept header of `text/plain`, `text/csv` or `application/pdf` (`?format` wins), rendered exactly as `voicebill invoice --format` does.',
      tags: ['invoices'],
      security: BEARER_SECURITY,
      params: z.object({ account_id: accountIdSchema, month: monthSchema }),
      querystring: z.object({ format: z.enum(INVOICE_FORMATS).optional().meta({ description: 'json (default), text, csv or pdf' }) }),
      response: { 200: invoiceSchema, ...errorResponses(400, 401, 404, 409) },
    },
    handler: async (request, reply) => {
      const { account_id: accountId, month } = request.params;
      const format = chooseInvoiceFormat(request.query.format, request.headers.accept);
      const invoice = await service.getInvoice(accountId, month, new Date());
      reply.header('vary', 'accept');
      if (format === 'json') return invoice;
      const rendered = await renderInvoice(invoice, format);
      const disposition = format === 'pdf' ? 'attachment' : 'inline';
      // A string or Buffer skips the JSON serializer (the schema describes the JSON answer
      // only), so the rendered body goes out as it is: send it through the untyped reply.
      return (reply as FastifyReply)
        .type(CONTENT_TYPE_OF[format])
        .header('content-disposition', `${disposition}; filename="${invoiceFileName(invoice, month, format)}"`)
        .send(rendered);
    },
  });
  done();
};

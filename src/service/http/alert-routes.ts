/**
 * Usage alerts (SPEC §11): an account's alert rules, the sensible defaults, and the delivery
 * log with manual redelivery. The operator and the account's own key may both manage them.
 */
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { ALERT_METRICS, type BillingService } from '../billing-service.js';
import { ServiceError } from '../service-error.js';
import { accountIdSchema, accountParamsSchema, BEARER_SECURITY, errorResponses, pageSchema, pagingQueryFields } from './common-schemas.js';
import { alertDeliverySchema, alertRuleSchema } from './document-schemas.js';

// Types and shape only: the service checks the rest (how many thresholds and channels, each
// threshold's range and decimals, the URL's scheme, the email address) and names the field.
const thresholdSchema = z
  .union([z.string().regex(/^\s*[+-]?\d+(\.\d+)?\s*$/, 'must be a decimal number, e.g. "80" or "12.50"'), z.number()], { error: 'must be a decimal string or a number' })
  .meta({ description: 'a decimal string or a number', examples: ['80'] });

const channelBodySchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('webhook'),
      url: z
        .url({ protocol: /^https?$/, message: 'must be an http or https URL' })
        .meta({ description: 'where to POST each event: a Zapier "Catch Hook", Make "Custom webhook", n8n "Webhook" trigger, or your own endpoint', examples: ['https://hooks.zapier.com/hooks/catch/123456/abcdef/'] }),
    }),
    z.strictObject({
      type: z.literal('email'),
      address: z.string().min(1).meta({ description: 'where to email each event (over the server\'s SMTP settings)', examples: ['billing@acme-dental.example'] }),
    }),
  ])
  .meta({ description: 'a webhook URL or an email address; each webhook URL gets its own signing secret' });

const channelsSchema = z.array(channelBodySchema).min(1);

const METRIC_DESCRIPTION =
  '`included_used_percent` (percent of the plan\'s included minutes used), `usage_minutes` (minutes used this period), `payg_amount` (pay-as-you-go money so far), `estimated_total` (the invoice so far, tax included), or `bundle_minutes_left` (fires when it falls to or below a threshold; the others fire at or above)';

const ruleBodySchema = z
  .strictObject({
    metric: z.enum(ALERT_METRICS).meta({ description: METRIC_DESCRIPTION }),
    thresholds: z.array(thresholdSchema).min(1).meta({ description: 'each fires once per billing period when crossed', examples: [['80', '100']] }),
    channels: channelsSchema,
  })
  .meta({
    id: 'AlertRuleSettings',
    description: 'What to watch, when to fire, and where to say so.',
    examples: [{ metric: 'included_used_percent', thresholds: ['80', '100'], channels: [{ type: 'webhook', url: 'https://hooks.zapier.com/hooks/catch/123456/abcdef/' }] }],
  });

const defaultsBodySchema = z.strictObject({ channels: channelsSchema });

const ruleParamsSchema = z.object({
  account_id: accountIdSchema,
  rule_id: z.string().regex(/^\d+$/, 'must be a rule id (digits)').meta({ description: 'the `rule_id` of the rule', examples: ['1'] }),
});

const deliveryParamsSchema = z.object({
  account_id: accountIdSchema,
  delivery_id: z.string().regex(/^\d+$/, 'must be a delivery id (digits)').meta({ description: 'the `delivery_id` from the delivery log', examples: ['1'] }),
});

/** A path id as the service takes it; one too large for any store is simply not there. */
function storedId(text: string, notFound: () => ServiceError): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id)) throw notFound();
  return id;
}

function ruleIdOf(params: z.infer<typeof ruleParamsSchema>): number {
  return storedId(params.rule_id, () => new ServiceError('not_found', `account ${params.account_id} has no alert rule ${params.rule_id}`));
}

function deliveryIdOf(params: z.infer<typeof deliveryParamsSchema>): number {
  return storedId(params.delivery_id, () => new ServiceError('not_found', `account ${params.account_id} has no alert delivery ${params.delivery_id}`));
}

/** What a receiver gets: for people wiring alerts into Zapier, Make or n8n with no code. */
const WHAT_YOU_RECEIVE = `**What each channel receives.** When a threshold is crossed, every channel of the rule is sent one event: once per threshold per billing period, however many calls arrive at once.

A **webhook** gets an HTTP \`POST\` with a JSON body (the \`AlertEvent\` schema):
- \`type\`: always \`usage.threshold_crossed\`;
- \`id\`: the event id; \`created_at\`: when it fired;
- \`data\`: \`account_id\`, \`account_name\`, \`period_start\`, \`period_end\`, \`metric\`, \`direction\` (\`at_or_above\`, or \`at_or_below\` for \`bundle_minutes_left\`), \`threshold\` (the one crossed), \`value\` (the metric when it crossed), \`included_minutes_left\`, \`estimated_total\` (the invoice so far, tax included), \`currency\` and \`dashboard_url\`.

In Zapier ("Webhooks by Zapier", *Catch Hook*), Make (*Custom webhook*) or n8n (*Webhook* trigger), paste the trigger's URL as the channel's \`url\`; these fields then appear as the trigger's output.

Headers follow the Standard Webhooks scheme: \`webhook-id\` (the event id, the same on every retry and redelivery: a receiver that has seen an id can drop the repeat), \`webhook-timestamp\` (Unix seconds of this attempt) and \`webhook-signature\` (\`v1,\` and the base64 HMAC-SHA256 of \`webhook-id.webhook-timestamp.body\`, keyed with the channel's \`secret\`, which starts \`whsec_\`; any Standard Webhooks library checks it with that secret). Answer with any 2xx status within 10 seconds to acknowledge; redirects are not followed. Any other answer, or none in time, is retried with growing back-off (seconds at first, then hours apart) for at least 24 hours; each attempt shows in the delivery log (\`GET /v1/accounts/{account_id}/alert-deliveries\`), where a delivery can also be sent again.

An **email** channel gets the same facts as a message sent over the server's SMTP settings.`;

export const alertRoutes: FastifyPluginCallbackZod<{ service: BillingService }> = (app, { service }, done) => {
  app.post('/accounts/:account_id/alert-rules', {
    config: { access: 'account' },
    schema: {
      summary: 'Create an alert rule',
      description: `Watches one metric of the account's current billing period and fires each threshold once per period when it is crossed. The answer shows each webhook channel's \`secret\` (\`whsec_…\`) for the receiver to check signatures.\n\n${WHAT_YOU_RECEIVE}`,
      tags: ['alerts'],
      security: BEARER_SECURITY,
      params: accountParamsSchema,
      body: ruleBodySchema,
      response: { 201: alertRuleSchema, ...errorResponses(400, 401, 404) },
    },
    handler: async (request, reply) => reply.status(201).send(await service.createAlertRule(request.params.account_id, request.body, new Date())),
  });

  app.post('/accounts/:account_id/alert-rules/defaults', {
    config: { access: 'account' },
    schema: {
      summary: 'Create the default alert rules',
      description: `The sensible default in one step: an alert at 80% and at 100% of the plan's included minutes (metric \`included_used_percent\`), sent to the channels given. Answers the rules made.\n\n${WHAT_YOU_RECEIVE}`,
      tags: ['alerts'],
      security: BEARER_SECURITY,
      params: accountParamsSchema,
      body: defaultsBodySchema,
      response: { 201: z.object({ items: z.array(alertRuleSchema) }), ...errorResponses(400, 401, 404) },
    },
    handler: async (request, reply) => reply.status(201).send({ items: await service.createDefaultAlertRules(request.params.account_id, request.body, new Date()) }),
  });

  app.get('/accounts/:account_id/alert-rules', {
    config: { access: 'account' },
    schema: {
      summary: 'List alert rules',
      description: 'Every alert rule of the account, oldest first, with each webhook channel\'s signing secret.',
      tags: ['alerts'],
      security: BEARER_SECURITY,
      params: accountParamsSchema,
      response: { 200: z.object({ items: z.array(alertRuleSchema) }), ...errorResponses(401, 404) },
    },
    handler: async (request) => ({ items: await service.listAlertRules(request.params.account_id) }),
  });

  app.get('/accounts/:account_id/alert-rules/:rule_id', {
    config: { access: 'account' },
    schema: {
      summary: 'Read an alert rule',
      tags: ['alerts'],
      security: BEARER_SECURITY,
      params: ruleParamsSchema,
      response: { 200: alertRuleSchema, ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => service.getAlertRule(request.params.account_id, ruleIdOf(request.params)),
  });

  app.put('/accounts/:account_id/alert-rules/:rule_id', {
    config: { access: 'account' },
    schema: {
      summary: 'Replace an alert rule',
      description:
        'Replaces the metric, thresholds and channels. A webhook URL the rule already had keeps its signing secret; a new URL gets a new one.',
      tags: ['alerts'],
      security: BEARER_SECURITY,
      params: ruleParamsSchema,
      body: ruleBodySchema,
      response: { 200: alertRuleSchema, ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => service.updateAlertRule(request.params.account_id, ruleIdOf(request.params), request.body, new Date()),
  });

  app.delete('/accounts/:account_id/alert-rules/:rule_id', {
    config: { access: 'account' },
    schema: {
      summary: 'Delete an alert rule',
      description: 'The rule fires no more. Deliveries already made stay in the delivery log.',
      tags: ['alerts'],
      security: BEARER_SECURITY,
      params: ruleParamsSchema,
      response: { 204: z.null().meta({ description: 'deleted' }), ...errorResponses(400, 401, 404) },
    },
    handler: async (request, reply) => {
      await service.deleteAlertRule(request.params.account_id, ruleIdOf(request.params));
      return reply.status(204).send(null);
    },
  });

  app.get('/accounts/:account_id/alert-deliveries', {
    config: { access: 'account' },
    schema: {
      summary: 'The alert delivery log',
      description:
        'Every event sent or being sent to a channel, newest first, a page at a time (pass `next` as `after`): its status (`pending` while being tried or retried, `delivered`, or `failed` once retries ran out after at least 24 hours), each attempt with its HTTP status, time taken and error, and the event itself.',
      tags: ['alerts'],
      security: BEARER_SECURITY,
      params: accountParamsSchema,
      querystring: z.object(pagingQueryFields),
      response: { 200: pageSchema(alertDeliverySchema), ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => service.listAlertDeliveries(request.params.account_id, { after: request.query.after, limit: request.query.limit }),
  });

  app.post('/accounts/:account_id/alert-deliveries/:delivery_id/redeliver', {
    config: { access: 'account' },
    schema: {
      summary: 'Send an alert again',
      description:
        'Sends the delivery\'s event to its channel again, as a new attempt of the same event: the same body and the same `webhook-id` (freshly signed), so a receiver that already has it can tell. Useful after fixing a receiver, or for a delivery that `failed`. The delivery is queued at once and sent by the server\'s next delivery run (every few seconds by default), then retried like a new one for at least 24 hours. Answers the delivery, `pending` and due now; the new attempt shows in its `attempt_log` once made. Takes no body.',
      tags: ['alerts'],
      security: BEARER_SECURITY,
      params: deliveryParamsSchema,
      response: { 200: alertDeliverySchema, ...errorResponses(400, 401, 404) },
    },
    handler: async (request) => service.redeliverAlert(request.params.account_id, deliveryIdOf(request.params), new Date()),
  });
  done();
};

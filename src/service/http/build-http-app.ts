/**
 * The HTTP shell of `voicebill serve`: a Fastify app around a `BillingService`. It checks
 * requests (zod schemas, body limits, API keys), calls the service with the clock read here,
 * and answers JSON documents or one error shape. No billing rule lives in this folder.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler, type FastifyPluginAsyncZod, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { BillingService } from '../billing-service.js';
import { accountRoutes } from './account-routes.js';
import { adminRoutes } from './admin-routes.js';
import { alertRoutes } from './alert-routes.js';
import { registerApiReference, registerOpenApi } from './api-reference.js';
import { requireApiKeys } from './authentication.js';
import { errorResponses } from './common-schemas.js';
import { DEFAULT_BODY_LIMIT } from './body-limits.js';
import { bundleRoutes } from './bundle-routes.js';
import { callRoutes } from './call-routes.js';
import { installErrorHandling } from './error-handler.js';
import { invoiceRoutes } from './invoice-routes.js';
import { numberRoutes } from './number-routes.js';
import { tariffRoutes } from './tariff-routes.js';
import { usageRoutes } from './usage-routes.js';

export interface HttpAppOptions {
  readonly service: BillingService;
  /** Log each request and every internal error (pino, JSON lines on stdout). */
  readonly logger?: boolean;
}

/** Every `/v1` route: behind the API-key hook, which is scoped to this plugin only. */
const versionOne: FastifyPluginAsyncZod<{ service: BillingService }> = async (scope, { service }) => {
  scope.decorateRequest('caller', null);
  requireApiKeys(scope, service);
  for (const routes of [tariffRoutes, accountRoutes, numberRoutes, bundleRoutes, callRoutes, usageRoutes, invoiceRoutes, alertRoutes, adminRoutes]) {
    await scope.register(routes, { service });
  }
};

/** Builds the app, not listening: `await app.listen(…)` or `app.inject(…)` next. */
export async function buildHttpApp(options: HttpAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    // One line per request would bury the start-up banner (and its one-time key); errors and
    // the closing summary are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Ids that stay unique across restarts and processes, to match a client's report to a log line.
    genReqId: () => `req_${randomUUID()}`,
    // A client-sent id is not trusted: it would let one request pose as another in the logs.
    requestIdHeader: false,
    // Call ids and account ids may be long (an account id up to 128 characters, a platform's
    // call id longer): Fastify's default of 100 would answer 414 in its own shape.
    routerOptions: { maxParamLength: 1024 },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  await registerOpenApi(app);

  app.withTypeProvider<ZodTypeProvider>().get('/healthz', {
    schema: {
      summary: 'Is the server up?',
      description: 'No key needed. Answers 200 while the server takes requests.',
      tags: ['service'],
      security: [],
      response: { 200: z.object({ status: z.literal('ok') }), ...errorResponses() },
    },
    handler: () => ({ status: 'ok' as const }),
  });

  await app.register(versionOne, { prefix: '/v1', service: options.service });
  await registerApiReference(app);
  return app;
}

/**
 * The API described from the routes' own zod schemas: `/openapi.json` (OpenAPI 3.1) and a
 * reference page at `/docs`. Swagger UI's scripts and styles are served from node_modules by
 * @fastify/swagger-ui, so the page works on a machine with no way out to the internet, and
 * no CDN learns who reads our docs.
 */
import { createRequire } from 'node:module';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';

// The same relative path from src/service/http and dist/service/http.
const { version } = createRequire(import.meta.url)('../../../package.json') as { version: string };

const DESCRIPTION = `Exact billing for AI voice-call platforms: send call records, read usage, invoices and the call log.

Every \`/v1\` request carries \`Authorization: Bearer KEY\`. The operator key (set by \`VOICEBILL_OPERATOR_KEY\`, or printed once at first start) may do everything; an account key (\`POST /v1/accounts/{account_id}/keys\`) may only read its own account, authorize its calls and manage its alert rules. Another account's resources answer 404, as if they did not exist.

Money is a decimal string (\`"0.0130"\`), never a JSON number; usage is in seconds with 3 decimals. Errors always answer \`{"error": {"code", "message", "request_id"}}\`; the request id is also the \`x-request-id\` header.`;

/** Registers the OpenAPI generator; must come before any route it should describe. */
export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'voicebill', version, description: DESCRIPTION, license: { name: 'Apache-2.0', identifier: 'Apache-2.0' } },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'the operator key or an account key' } } },
      tags: [
        { name: 'tariff', description: 'plans, bundles, carrier rates, number prices, taxes' },
        { name: 'accounts', description: 'customers, their plans and API keys' },
        { name: 'numbers', description: 'rented phone numbers' },
        { name: 'bundles', description: 'add-on minutes' },
        { name: 'calls', description: 'call records in, the call log out' },
        { name: 'usage', description: 'the dashboard\'s numbers and call authorization' },
        { name: 'invoices', description: 'one per account per period' },
        { name: 'alerts', description: 'usage alert rules, webhooks and email, and the delivery log' },
        { name: 'admin', description: 'operator maintenance' },
        { name: 'service', description: 'health' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
}

/** `/openapi.json` and `/docs`; registered after the routes so the document lists them all. */
export async function registerApiReference(app: FastifyInstance): Promise<void> {
  app.get('/openapi.json', { schema: { hide: true } }, () => app.swagger());
  await app.register(fastifySwaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true, persistAuthorization: false, tryItOutEnabled: false },
    // No online validator badge: it would send our document to validator.swagger.io.
    validatorUrl: false,
    theme: { title: 'voicebill API' },
  });
}

/**
 * Every failure answers one shape, `{"error": {"code", "message", "request_id"}}`, so a client
 * handles errors in one place and can quote the request id. Service refusals map through the
 * one status table (`STATUS_OF`); framework errors (validation, body size, bad JSON) are
 * turned into the same vocabulary here; anything else is a bug: logged, answered 500 without
 * its details.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, ResponseSerializationError } from 'fastify-type-provider-zod';
import { fieldPath } from '../../formats/input-error.js';
import { ServiceError, STATUS_OF, type ServiceErrorCode } from '../service-error.js';
import type { ErrorBody } from './common-schemas.js';

interface ErrorAnswer {
  readonly status: number;
  readonly code: ServiceErrorCode;
  readonly message: string;
}

/** `body.calls[0].call_id` from Fastify's validation context and a JSON pointer. */
function namedField(context: string | undefined, instancePath: string): string {
  const parts: (string | number)[] = instancePath
    .split('/')
    .filter((part) => part !== '')
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part.replace(/~1/g, '/').replace(/~0/g, '~')));
  return fieldPath([context ?? 'request', ...parts]);
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).statusCode === 'number';
}

export function answerOf(error: unknown, bodyLimit: number | undefined): ErrorAnswer {
  if (error instanceof ServiceError) return { status: STATUS_OF[error.code], code: error.code, message: error.message };
  if (hasZodFastifySchemaValidationErrors(error)) {
    // The provider's issues: a JSON pointer to the field and zod's message.
    const [first, ...rest] = error.validation as readonly { instancePath: string; message?: string }[];
    const field = namedField(error.validationContext, first?.instancePath ?? '');
    const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : '';
    return { status: 400, code: 'invalid_request', message: `${field}: ${first?.message ?? 'invalid'}${more}` };
  }
  if (error instanceof ResponseSerializationError) return { status: 500, code: 'internal', message: 'internal error' };
  if (isFastifyError(error) && error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    if (error.statusCode === 413) {
      const limit = bodyLimit === undefined ? '' : ` (at most ${bodyLimit.toLocaleString('en-US')} bytes here)`;
      return { status: 413, code: 'payload_too_large', message: `request body too large${limit}` };
    }
    if (error.statusCode === 404) return { status: 404, code: 'not_found', message: error.message };
    // Bad JSON, an empty JSON body, a media type we do not read: the request is at fault.
    return { status: error.statusCode, code: 'invalid_request', message: error.message };
  }
  return { status: 500, code: 'internal', message: 'internal error (logged with this request id)' };
}

export function errorBody(request: FastifyRequest, code: ServiceErrorCode, message: string): ErrorBody {
  return { error: { code, message, request_id: request.id } };
}

export function sendError(request: FastifyRequest, reply: FastifyReply, answer: ErrorAnswer): FastifyReply {
  // A route may have set another type (a PDF invoice) before failing: errors are JSON.
  return reply.status(answer.status).type('application/json; charset=utf-8').send(errorBody(request, answer.code, answer.message));
}

/** Installs the error handler, the unknown-route answer and the `x-request-id` header. */
export function installErrorHandling(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.setErrorHandler((error, request, reply) => {
    const answer = answerOf(error, request.routeOptions.bodyLimit);
    if (answer.status >= 500) request.log.error({ err: error }, 'internal error');
    return sendError(request, reply, answer);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?', 1)[0] ?? request.url;
    return sendError(request, reply, { status: 404, code: 'not_found', message: `no route ${request.method} ${path}` });
  });
}

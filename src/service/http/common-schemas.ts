/**
 * Schemas every route group shares: the one error body, path parameters, paging. Zod here is
 * both the request check (through fastify-type-provider-zod) and the source of the OpenAPI
 * document, so what `/openapi.json` says is what the server enforces.
 */
import { z } from 'zod';

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'machine-readable reason, e.g. `not_found`, `invalid_request`, `conflicting_duplicate`' }),
      message: z.string().meta({ description: 'for people: what was wrong, naming the field where there is one' }),
      request_id: z.string().meta({ description: 'also sent as the `x-request-id` header; quote it when reporting a problem' }),
    }),
  })
  .meta({ id: 'Error', description: 'Every error answers this shape, with a 4xx or 5xx status.' });

export type ErrorBody = z.infer<typeof errorBodySchema>;

/** The error statuses a route can answer, for its OpenAPI entry (the body is always `Error`). */
export function errorResponses(...statuses: (400 | 401 | 403 | 404 | 409 | 413 | 422)[]): Record<number, typeof errorBodySchema> {
  const responses: Record<number, typeof errorBodySchema> = { 500: errorBodySchema };
  for (const status of statuses) responses[status] = errorBodySchema;
  return responses;
}

export const accountIdSchema = z.string().min(1).max(200).meta({ description: 'the account id, as in the accounts document', examples: ['acme-dental'] });

export const accountParamsSchema = z.object({ account_id: accountIdSchema });

/** An RFC 3339 instant with an offset (`2026-11-20T12:00:00Z`, `…+05:30`). */
export const instantSchema = z.iso.datetime({ offset: true, message: 'must be an RFC 3339 instant with an offset, e.g. 2026-11-20T12:00:00Z' });

export const monthSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM')
  .meta({ description: 'the month the billing period starts in', examples: ['2026-11'] });

/** Decimal strings for money (SPEC §1: never a binary float). */
export const moneySchema = z.string().meta({ description: 'money as a decimal string', examples: ['49.00'] });
export const usageSecondsSchema = z.string().meta({ description: 'usage seconds, exactly 3 decimals', examples: ['90.000'] });

export const pagingQueryFields = {
  after: z.string().min(1).optional().meta({ description: 'the `next` value of the previous page' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100).meta({ description: 'page size, 1 to 1000 (default 100)' }),
};

/** A page of a list; `next` is what to pass as `after` for the following page. */
export function pageSchema<Item extends z.ZodType>(item: Item) {
  return z.object({ items: z.array(item), next: z.string().nullable().meta({ description: 'pass as `after` for the next page; null on the last page' }) });
}

/** The authorization header, documented on the routes that need it. */
export const BEARER_SECURITY = [{ bearerAuth: [] }];

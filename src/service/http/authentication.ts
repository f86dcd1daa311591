/**
 * Who may call what (SPEC §16). Every `/v1` request carries `Authorization: Bearer KEY`; the
 * key is the operator's (everything) or one account's (reads of that account only). Each
 * route states its access in `config.access`; the default is the strictest, operator only,
 * so a route that forgets to say is closed rather than open.
 *
 * An account key asking about another account is answered 404, exactly as for an account
 * that does not exist: a 403 would tell it the other account is there.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { BillingService, Caller } from '../billing-service.js';
import { ServiceError } from '../service-error.js';

/**
 * `operator`: the operator key only (every write, and reads across accounts).
 * `account`: the operator, or the key of the account named by the `account_id` path parameter.
 * `any-key`: any valid key; the handler narrows what an account key sees (a call by id).
 */
export type RouteAccess = 'operator' | 'account' | 'any-key';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
  interface FastifyRequest {
    /** Set by the authentication hook on every `/v1` request before its handler runs. */
    caller: Caller | null;
  }
}

export class UnauthorizedError extends ServiceError {
  constructor(message: string) {
    super('unauthorized', message);
  }
}

/** The same words whether the account is someone else's or nobody's. */
export function accountNotFound(accountId: string): ServiceError {
  return new ServiceError('not_found', `account "${accountId}" not found`);
}

function bearerKey(header: string | undefined): string {
  if (header === undefined || header.trim() === '') throw new UnauthorizedError('missing Authorization: Bearer KEY header');
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  if (!match?.[1]) throw new UnauthorizedError('the Authorization header must be "Bearer KEY"');
  return match[1];
}

/** Throws unless `caller` may use a route of this access on `accountId` (the path parameter). */
export function checkAccess(caller: Caller, access: RouteAccess, accountId: string | undefined): void {
  if (caller.kind === 'operator' || access === 'any-key') return;
  if (access === 'operator') throw new ServiceError('forbidden', 'this needs the operator key; an account key can only read its own account');
  if (accountId !== caller.accountId) throw accountNotFound(accountId ?? '');
}

export function callerOf(request: FastifyRequest): Caller {
  if (!request.caller) throw new Error(`no caller on ${request.method} ${request.url}: route registered outside the authenticated scope`);
  return request.caller;
}

/**
 * Adds the authentication hook to `scope` (the `/v1` plugin). It runs at `onRequest`, before
 * the body is read, so an unauthenticated client learns nothing from validation errors and
 * cannot make the server read 16 MB first.
 */
export function requireApiKeys(scope: FastifyInstance, service: BillingService): void {
  scope.addHook('onRequest', async (request, reply) => {
    let caller: Caller | undefined;
    try {
      caller = await service.callerOfKey(bearerKey(request.headers.authorization));
      if (!caller) throw new UnauthorizedError('unknown API key');
    } catch (error) {
      if (error instanceof UnauthorizedError) reply.header('www-authenticate', 'Bearer');
      throw error;
    }
    request.caller = caller;
    const params = request.params as Record<string, string | undefined> | undefined;
    checkAccess(caller, request.routeOptions.config.access ?? 'operator', params?.account_id);
  });
}

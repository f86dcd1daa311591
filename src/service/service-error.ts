/**
 * The service's one error vocabulary: every refusal carries a code from a closed set, and the
 * HTTP layer maps each code to one status (see `STATUS_OF`), so a caller can act on `code`.
 */
export const SERVICE_ERROR_CODES = [
  'invalid_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'conflicting_duplicate',
  'no_tariff',
  'payload_too_large',
  'internal',
] as const;
export type ServiceErrorCode = (typeof SERVICE_ERROR_CODES)[number];

export const STATUS_OF: Readonly<Record<ServiceErrorCode, number>> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  conflicting_duplicate: 409,
  no_tariff: 409,
  payload_too_large: 413,
  internal: 500,
};

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

/**
 * Request body limits: small by default so a stray upload cannot tie up the server, large
 * only where the payload is legitimately big (10,000 call records, a full rate deck).
 */
export const DEFAULT_BODY_LIMIT = 256 * 1024;
export const LARGE_BODY_LIMIT = 16 * 1024 * 1024;

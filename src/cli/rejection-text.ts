import { REJECTION_PHRASES, type Rejection } from '../core/call-record.js';

/** `conflicting duplicate: call_id c4 was already read on line 5 with different fields` */
export function rejectionText(rejection: Rejection): string {
  return `${REJECTION_PHRASES[rejection.code]}: ${rejection.message}`;
}

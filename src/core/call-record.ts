/** The generic call record (SPEC §2) after parsing, and the ways a record can be refused. */
import type { EpochMicros } from './instant.js';

export type Direction = 'inbound' | 'outbound' | 'web';
export const DIRECTIONS: readonly Direction[] = ['inbound', 'outbound', 'web'];

/** A record as read from a file or request: text fields, not yet checked. */
export interface RawCallRecord {
  /** 1-based line in its file (or index in a request), for messages. */
  readonly line: number;
  readonly call_id: string;
  readonly account_id: string;
  readonly direction: string;
  readonly from: string;
  readonly to: string;
  readonly started_at: string;
  readonly answered_at: string;
  readonly ended_at: string;
  readonly end_reason: string;
}

export const CALL_RECORD_FIELDS = [
  'call_id', 'account_id', 'direction', 'from', 'to', 'started_at', 'answered_at', 'ended_at', 'end_reason',
] as const;

/** Closed set of reasons a record is rejected (SPEC §14); messages add the detail. */
export const REJECTION_CODES = [
  'malformed_record',
  'missing_field',
  'unparseable_timestamp',
  'ended_before_answered',
  'unknown_account',
  'unknown_direction',
  'invalid_number',
  'no_carrier_rate',
  'before_first_period',
  'conflicting_duplicate',
  'implausible_duration',
] as const;
export type RejectionCode = (typeof REJECTION_CODES)[number];

/** How each rejection reads to a person; messages add the detail. */
export const REJECTION_PHRASES: Record<RejectionCode, string> = {
  malformed_record: 'malformed record',
  missing_field: 'missing field',
  unparseable_timestamp: 'unparseable timestamp',
  ended_before_answered: 'ended before answered',
  unknown_account: 'unknown account',
  unknown_direction: 'unknown direction',
  invalid_number: 'invalid phone number',
  no_carrier_rate: 'no carrier rate',
  before_first_period: "before the account's first period",
  conflicting_duplicate: 'conflicting duplicate',
  implausible_duration: 'implausible duration',
};

export interface Rejection {
  readonly code: RejectionCode;
  readonly message: string;
}

/** A record that passed every check: instants parsed, number normalised. */
export interface CallRecord {
  readonly callId: string;
  readonly accountId: string;
  readonly direction: Direction;
  /** Digits only, without `+`; empty for web calls. */
  readonly to: string;
  readonly startedAt: EpochMicros;
  readonly answeredAt: EpochMicros | undefined;
  readonly endedAt: EpochMicros;
  /** `ended_at − answered_at` in whole seconds, a fraction rounded up (SPEC §1, §3); 0 if never answered. */
  readonly billableSeconds: number;
}

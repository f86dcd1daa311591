/**
 * `--from vapi|retell|twilio|asterisk|freeswitch`: turn another platform's call records into
 * the generic record of SPEC §2. Each platform lives in its own module; this one holds the
 * shared vocabulary and picks the module by name.
 */
import type { RawCallRecord } from '../../core/call-record.js';
import { importAsteriskCalls } from './asterisk.js';
import { importFreeswitchCalls } from './freeswitch.js';
import { importRetellCalls } from './retell.js';
import { importTwilioCalls } from './twilio.js';
import { importVapiCalls } from './vapi.js';

export interface ImportOptions {
  /** IANA zone for timestamps without offset (Asterisk, FreeSWITCH); required there. */
  readonly timeZone?: string;
  /**
   * Account for every record; when absent, `accountForNumber` maps the platform's own number
   * (inbound: to, outbound: from; digits only, no '+') to an account, else the record gets a problem.
   */
  readonly accountId?: string;
  readonly accountForNumber?: (digits: string) => string | undefined;
}

/** A record that could not be mapped: its line (CSV) or 1-based index (JSON), and why. */
export interface ImportProblem {
  readonly line: number;
  readonly message: string;
}

export interface ImportResult {
  readonly records: RawCallRecord[];
  readonly problems: ImportProblem[];
}

export type ImporterName = 'vapi' | 'retell' | 'twilio' | 'asterisk' | 'freeswitch';
export const IMPORTER_NAMES: readonly ImporterName[] = ['vapi', 'retell', 'twilio', 'asterisk', 'freeswitch'];

/**
 * Maps every record of `text` or says why not (SPEC §14): a bad record becomes a problem and
 * the records around it still import. Throws only when the whole file cannot be read as that
 * platform's format (a missing `--timezone`, a CSV without the needed columns).
 */
export function importCalls(name: ImporterName, text: string, options: ImportOptions): ImportResult {
  switch (name) {
    case 'vapi':
      return importVapiCalls(text, options);
    case 'retell':
      return importRetellCalls(text, options);
    case 'twilio':
      return importTwilioCalls(text, options);
    case 'asterisk':
      return importAsteriskCalls(text, options);
    case 'freeswitch':
      return importFreeswitchCalls(text, options);
  }
}

/**
 * What the service keeps of an account besides its calls: the settings document, its
 * calendar (cached: Temporal periods are costly to compute) and the plan of each period.
 */
import { BillingCalendar } from '../core/billing-period.js';
import type { OverageMode } from '../core/tariff.js';
import type { AccountsTable } from '../store/schema.js';

export interface AccountSettings {
  name: string | null;
  plan: string;
  timezone: string;
  billing_anchor: string;
  country: string;
  overage: OverageMode;
  /** Decimal string, or null for no cap. */
  spend_cap: string | null;
}

const parsedSettings = new Map<string, AccountSettings>();

/** The settings of an account row (parsed once per distinct document: ingest asks per call). */
export function settingsOf(row: Pick<AccountsTable, 'document'>): AccountSettings {
  let settings = parsedSettings.get(row.document);
  if (settings === undefined) {
    if (parsedSettings.size >= 100_000) parsedSettings.clear();
    settings = Object.freeze(JSON.parse(row.document) as AccountSettings);
    parsedSettings.set(row.document, settings);
  }
  return settings;
}

const calendars = new Map<string, BillingCalendar>();

export function calendarOf(settings: Pick<AccountSettings, 'timezone' | 'billing_anchor'>): BillingCalendar {
  const key = `${settings.timezone} ${settings.billing_anchor}`;
  let calendar = calendars.get(key);
  if (!calendar) {
    calendar = new BillingCalendar(settings.timezone, settings.billing_anchor);
    calendars.set(key, calendar);
  }
  return calendar;
}

/** The plan a period is billed under: a change waits for the period it was set to start from. */
export function planForPeriod(row: Pick<AccountsTable, 'plan' | 'next_plan' | 'next_plan_from'>, periodIndex: number): string {
  return row.next_plan !== null && row.next_plan_from !== null && periodIndex >= row.next_plan_from ? row.next_plan : row.plan;
}

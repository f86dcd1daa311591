/**
 * Everything the core needs to bill a set of accounts: the tariff, each account with its plan
 * and calendar. Built once per command or request; it holds no calls.
 */
import type { Account } from './account.js';
import { BillingCalendar } from './billing-period.js';
import type { Plan, Tariff } from './tariff.js';

export interface BookAccount {
  readonly account: Account;
  readonly plan: Plan;
  readonly calendar: BillingCalendar;
}

export interface BillingBook {
  readonly tariff: Tariff;
  /** Sorted by account id. */
  readonly accounts: ReadonlyMap<string, BookAccount>;
}

export function makeBillingBook(tariff: Tariff, accounts: readonly Account[]): BillingBook {
  const sorted = [...accounts].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const entries = new Map<string, BookAccount>();
  for (const account of sorted) {
    const plan = tariff.plans.get(account.plan);
    if (!plan) throw new Error(`account ${account.id}: plan ${account.plan} is not in the tariff`); // checked when accounts load
    entries.set(account.id, { account, plan, calendar: new BillingCalendar(account.timeZone, account.billingAnchor) });
  }
  return { tariff, accounts: entries };
}

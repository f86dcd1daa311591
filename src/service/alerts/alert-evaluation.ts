/**
 * Firing alerts (SPEC §11): after usage changes (a batch of calls, a bundle bought, a period
 * rolled over, a rule made), each rule of the account is compared with its period's figures.
 * A crossed threshold is written as a firing whose key (rule, period, threshold) is unique,
 * in the same transaction as the usage that crossed it: so it fires once per period, however
 * many batches or processes arrive at once, and is never lost to a crash. Each firing queues
 * one delivery per channel in the outbox.
 */
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { buildInvoice, overageAmountMinor } from '../../core/invoice.js';
import { divideRoundHalfAwayBig, formatScaled, parseScaled } from '../../core/decimal.js';
import { formatInstantUtc } from '../../core/instant.js';
import type { AlertDeliveriesTable, AlertRulesTable } from '../../store/schema.js';
import { newPeriodRow, periodTotalsOf, type AccountRow, type LedgerContext, type PeriodRow } from '../account-ledger.js';
import { calendarOf, settingsOf } from '../account-settings.js';
import type { AlertChannelDocument, AlertEventDocument, AlertMetricName } from '../billing-service.js';
import { coreAccount, pendingAdjustments } from '../period-closing.js';

/** Retries go on for at least this long (issue 4: at least 24 hours). */
export const DELIVERY_WINDOW_MICROS = 25 * 3_600_000_000;

const MICROS_PER_MINUTE_MS = 60_000n;
const SCALE = 1_000_000n;

export interface AlertOptions {
  /** Where the service is reached from outside, for the dashboard link in events. */
  readonly publicUrl: string;
}

interface Figures {
  readonly period: PeriodRow;
  readonly currency: string;
  readonly minorUnits: number;
  /** Lazily: the invoice total so far (minor units) and the included minutes left. */
  estimatedTotalMinor(): Promise<bigint>;
  bundleLeftMillis(): Promise<number | undefined>;
  readonly paygMinor: bigint;
}

/** A metric's value as a comparable scaled integer (×10^6) and as text for people. */
async function metricValue(metric: AlertMetricName, figures: Figures): Promise<{ scaled: bigint; text: string } | undefined> {
  const row = figures.period;
  switch (metric) {
    case 'included_used_percent': {
      if (row.included_millis === 0) return undefined;
      const scaled = divideRoundHalfAwayBig(BigInt(row.included_used) * 100n * SCALE, BigInt(row.included_millis));
      return { scaled, text: formatScaled(divideRoundHalfAwayBig(scaled, 10_000n), 2) };
    }
    case 'usage_minutes': {
      const millis = BigInt(row.included_used + row.bundle_used + row.payg);
      const scaled = divideRoundHalfAwayBig(millis * SCALE, MICROS_PER_MINUTE_MS);
      return { scaled, text: formatScaled(divideRoundHalfAwayBig(scaled, 1_000n), 3) };
    }
    case 'payg_amount':
      return { scaled: (figures.paygMinor * SCALE) / 10n ** BigInt(figures.minorUnits), text: formatScaled(figures.paygMinor, figures.minorUnits) };
    case 'estimated_total': {
      const total = await figures.estimatedTotalMinor();
      return { scaled: (total * SCALE) / 10n ** BigInt(figures.minorUnits), text: formatScaled(total, figures.minorUnits) };
    }
    case 'bundle_minutes_left': {
      const left = await figures.bundleLeftMillis();
      if (left === undefined) return undefined;
      const scaled = divideRoundHalfAwayBig(BigInt(left) * SCALE, MICROS_PER_MINUTE_MS);
      return { scaled, text: formatScaled(divideRoundHalfAwayBig(scaled, 1_000n), 3) };
    }
  }
}

function crossed(metric: AlertMetricName, value: bigint, threshold: bigint): boolean {
  return metric === 'bundle_minutes_left' ? value <= threshold : value >= threshold;
}

/** The rules of these accounts, in one read: a batch of calls touches hundreds of accounts. */
export async function rulesOfAccounts(context: LedgerContext, accountIds: readonly string[]): Promise<Map<string, Selectable<AlertRulesTable>[]>> {
  const rules = new Map<string, Selectable<AlertRulesTable>[]>();
  const ids = [...new Set(accountIds)];
  for (let start = 0; start < ids.length; start += 900) {
    const rows = await context.trx.selectFrom('alert_rules').selectAll().where('account_id', 'in', ids.slice(start, start + 900)).orderBy('id').execute();
    for (const row of rows) {
      const list = rules.get(row.account_id) ?? [];
      list.push(row);
      rules.set(row.account_id, list);
    }
  }
  return rules;
}

/**
 * Evaluates the account's rules against each of `periodIndexes` that is still open (and
 * begun by now). Cheap when the account has no rules: one indexed read.
 */
export async function evaluateAlerts(
  context: LedgerContext,
  account: AccountRow,
  periodIndexes: Iterable<number>,
  options: AlertOptions,
  preloaded?: readonly Selectable<AlertRulesTable>[],
): Promise<number> {
  const rules = preloaded ?? (await context.trx.selectFrom('alert_rules').selectAll().where('account_id', '=', account.id).orderBy('id').execute());
  if (rules.length === 0) return 0;
  const settings = settingsOf(account);
  const calendar = calendarOf(settings);
  let fired = 0;
  for (const index of new Set(periodIndexes)) {
    if (index <= account.closed_through) continue;
    const period = calendar.period(index);
    if (period.start > context.now) continue;
    // What already fired this period is skipped before any figure is worked out.
    const firedBefore = new Set(
      (await context.trx.selectFrom('alert_firings').select(['rule_id', 'threshold']).where('account_id', '=', account.id).where('period_index', '=', index).execute()).map(
        (firing) => `${firing.rule_id} ${firing.threshold}`,
      ),
    );
    const stored = await context.trx.selectFrom('account_periods').selectAll().where('account_id', '=', account.id).where('period_index', '=', index).executeTakeFirst();
    const row = stored ?? (await newPeriodRow(context, account, period));
    const tariff = await context.tariffs.tariff(context.trx, row.tariff_version);
    const plan = tariff.plans.get(row.plan);
    if (!plan) continue;
    let invoiceTotal: bigint | undefined;
    let bundleLeft: number | undefined | null = null;
    const figures: Figures = {
      period: row,
      currency: tariff.currency,
      minorUnits: tariff.minorUnits,
      paygMinor: overageAmountMinor(row.payg, plan.minutePriceNanos, tariff.minorUnits),
      estimatedTotalMinor: async () => {
        if (invoiceTotal === undefined) {
          const adjustments = index === account.closed_through + 1 ? await pendingAdjustments(context.trx, account) : [];
          invoiceTotal = buildInvoice({ tariff, account: await coreAccount(context.trx, account), plan, period, totals: periodTotalsOf(row), upTo: context.now, adjustments }).totalMinor;
        }
        return invoiceTotal;
      },
      bundleLeftMillis: async () => {
        if (bundleLeft === null) {
          const bundles = await context.trx.selectFrom('bundle_purchases').select(['purchased_at', 'expires_at', 'left_millis']).where('account_id', '=', account.id).execute();
          // With no bundle ever bought there is nothing to run out of.
          bundleLeft = bundles.length === 0 ? undefined : bundles.filter((bundle) => bundle.purchased_at <= context.now && bundle.expires_at > context.now).reduce((sum, bundle) => sum + bundle.left_millis, 0);
        }
        return bundleLeft;
      },
    };
    for (const rule of rules) {
      const thresholds = (JSON.parse(rule.thresholds) as string[]).filter((threshold) => !firedBefore.has(`${rule.id} ${threshold}`));
      if (thresholds.length === 0) continue;
      const value = await metricValue(rule.metric, figures);
      if (!value) continue;
      for (const threshold of thresholds) {
        if (!crossed(rule.metric, value.scaled, parseScaled(threshold, 6))) continue;
        const eventId = `evt_${randomUUID().replace(/-/g, '')}`;
        const event: AlertEventDocument = {
          type: 'usage.threshold_crossed',
          id: eventId,
          created_at: formatInstantUtc(context.now),
          data: {
            account_id: account.id,
            account_name: settings.name,
            period_start: period.startText,
            period_end: period.endText,
            metric: rule.metric,
            direction: rule.metric === 'bundle_minutes_left' ? 'at_or_below' : 'at_or_above',
            threshold,
            value: value.text,
            included_minutes_left: formatScaled(divideRoundHalfAwayBig(BigInt(Math.max(0, row.included_millis - row.included_used)) * 1_000n, MICROS_PER_MINUTE_MS), 3),
            estimated_total: formatScaled(await figures.estimatedTotalMinor(), tariff.minorUnits),
            currency: tariff.currency,
            dashboard_url: `${options.publicUrl.replace(/\/$/, '')}/dashboard/accounts/${encodeURIComponent(account.id)}`,
          },
        };
        const inserted = await context.trx
          .insertInto('alert_firings')
          .values({ event_id: eventId, rule_id: Number(rule.id), account_id: account.id, period_index: index, threshold, metric: rule.metric, value: value.text, payload: JSON.stringify(event), created_at: context.now })
          .onConflict((conflict) => conflict.columns(['rule_id', 'period_index', 'threshold']).doNothing())
          .returning('id')
          .executeTakeFirst();
        if (!inserted) continue; // fired before in this period
        fired++;
        const deliveries: Omit<AlertDeliveriesTable, 'id'>[] = (JSON.parse(rule.channels) as AlertChannelDocument[]).map((channel) => ({
          event_id: eventId,
          account_id: account.id,
          channel: channel.type,
          target: channel.type === 'webhook' ? channel.url : channel.address,
          secret: channel.type === 'webhook' ? channel.secret : null,
          status: 'pending',
          attempts: 0,
          next_attempt_at: context.now,
          give_up_at: context.now + DELIVERY_WINDOW_MICROS,
          last_status_code: null,
          last_error: null,
          created_at: context.now,
          delivered_at: null,
        }));
        if (deliveries.length > 0) await context.trx.insertInto('alert_deliveries').values(deliveries).execute();
      }
    }
  }
  return fired;
}

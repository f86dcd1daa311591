/**
 * Alert rules (SPEC §11): one metric of an account's current period, one or more thresholds,
 * and where to say so (webhook URLs, email addresses). Each webhook endpoint gets its own
 * Standard Webhooks secret (`whsec_…`), made here and kept when the rule is edited.
 */
import { randomBytes } from 'node:crypto';
import { formatScaled, parseScaled } from '../../core/decimal.js';
import { formatInstantUtc } from '../../core/instant.js';
import type { AlertRulesTable } from '../../store/schema.js';
import type { AccountRow, LedgerContext } from '../account-ledger.js';
import { ALERT_METRICS, type AlertChannelDocument, type AlertMetricName, type AlertRuleDocument, type AlertRuleInput } from '../billing-service.js';
import { ServiceError } from '../service-error.js';

const MAX_THRESHOLDS = 20;
const MAX_CHANNELS = 10;

function invalid(message: string): never {
  throw new ServiceError('invalid_request', message);
}

/** Thresholds as canonical decimal strings (up to 6 decimals), ascending, without repeats. */
function checkedThresholds(metric: AlertMetricName, thresholds: readonly (string | number)[]): string[] {
  if (!Array.isArray(thresholds) || thresholds.length === 0 || thresholds.length > MAX_THRESHOLDS) invalid(`thresholds: give 1 to ${MAX_THRESHOLDS} thresholds`);
  const scaled = thresholds.map((threshold, index) => {
    let value: bigint;
    try {
      value = parseScaled(String(threshold), 6);
    } catch {
      invalid(`thresholds[${index}]: "${String(threshold)}" is not a decimal number`);
    }
    if (value < 0n) invalid(`thresholds[${index}]: must be 0 or more`);
    if (value > 10n ** 15n) invalid(`thresholds[${index}]: must be at most 1,000,000,000`);
    if (metric === 'included_used_percent' && value === 0n) invalid(`thresholds[${index}]: a percentage threshold must be above 0`);
    return value;
  });
  return [...new Set(scaled)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map((value) => formatScaled(value, 6).replace(/\.?0+$/, '') || '0');
}

function checkedChannels(channels: AlertRuleInput['channels'], previous: readonly AlertChannelDocument[]): AlertChannelDocument[] {
  if (!Array.isArray(channels) || channels.length === 0 || channels.length > MAX_CHANNELS) invalid(`channels: give 1 to ${MAX_CHANNELS} webhook URLs or email addresses`);
  return channels.map((channel, index) => {
    if (channel?.type === 'webhook') {
      let url: URL;
      try {
        url = new URL(channel.url);
      } catch {
        invalid(`channels[${index}].url: "${String(channel.url)}" is not a URL`);
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') invalid(`channels[${index}].url: must be http or https`);
      const kept = previous.find((old): old is Extract<AlertChannelDocument, { type: 'webhook' }> => old.type === 'webhook' && old.url === url.toString());
      return { type: 'webhook', url: url.toString(), secret: kept?.secret ?? `whsec_${randomBytes(24).toString('base64')}` };
    }
    if (channel?.type === 'email') {
      // Deliberately plain: one @, no spaces; the SMTP server has the last word.
      if (typeof channel.address !== 'string' || !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(channel.address)) invalid(`channels[${index}].address: "${String(channel.address)}" is not an email address`);
      return { type: 'email', address: channel.address };
    }
    return invalid(`channels[${index}].type: expected "webhook" or "email"`);
  });
}

function checkedMetric(metric: string): AlertMetricName {
  if (!(ALERT_METRICS as readonly string[]).includes(metric)) invalid(`metric: "${metric}" (expected ${ALERT_METRICS.join(', ')})`);
  return metric as AlertMetricName;
}

export function ruleDocument(row: Pick<AlertRulesTable, 'account_id' | 'metric' | 'thresholds' | 'channels' | 'created_at' | 'updated_at'> & { id: number }): AlertRuleDocument {
  return {
    rule_id: Number(row.id),
    account_id: row.account_id,
    metric: row.metric,
    thresholds: JSON.parse(row.thresholds) as string[],
    channels: JSON.parse(row.channels) as AlertChannelDocument[],
    created_at: formatInstantUtc(row.created_at),
    updated_at: formatInstantUtc(row.updated_at),
  };
}

export async function createRule(context: LedgerContext, account: AccountRow, input: AlertRuleInput): Promise<AlertRuleDocument> {
  const metric = checkedMetric(input.metric);
  const thresholds = checkedThresholds(metric, input.thresholds);
  const channels = checkedChannels(input.channels, []);
  const row = await context.trx
    .insertInto('alert_rules')
    .values({ account_id: account.id, metric, thresholds: JSON.stringify(thresholds), channels: JSON.stringify(channels), created_at: context.now, updated_at: context.now })
    .returningAll()
    .executeTakeFirstOrThrow();
  return ruleDocument(row);
}

async function storedRule(context: LedgerContext, account: AccountRow, ruleId: number) {
  const row = await context.trx.selectFrom('alert_rules').selectAll().where('id', '=', ruleId).where('account_id', '=', account.id).executeTakeFirst();
  if (!row) throw new ServiceError('not_found', `account ${account.id} has no alert rule ${ruleId}`);
  return row;
}

export async function getRule(context: LedgerContext, account: AccountRow, ruleId: number): Promise<AlertRuleDocument> {
  return ruleDocument(await storedRule(context, account, ruleId));
}

export async function listRules(context: LedgerContext, account: AccountRow): Promise<AlertRuleDocument[]> {
  const rows = await context.trx.selectFrom('alert_rules').selectAll().where('account_id', '=', account.id).orderBy('id').execute();
  return rows.map(ruleDocument);
}

export async function updateRule(context: LedgerContext, account: AccountRow, ruleId: number, input: AlertRuleInput): Promise<AlertRuleDocument> {
  const before = await storedRule(context, account, ruleId);
  const metric = checkedMetric(input.metric);
  const thresholds = checkedThresholds(metric, input.thresholds);
  const channels = checkedChannels(input.channels, JSON.parse(before.channels) as AlertChannelDocument[]);
  await context.trx
    .updateTable('alert_rules')
    .set({ metric, thresholds: JSON.stringify(thresholds), channels: JSON.stringify(channels), updated_at: context.now })
    .where('id', '=', ruleId)
    .execute();
  return ruleDocument({ ...before, metric, thresholds: JSON.stringify(thresholds), channels: JSON.stringify(channels), updated_at: context.now });
}

export async function deleteRule(context: LedgerContext, account: AccountRow, ruleId: number): Promise<void> {
  await storedRule(context, account, ruleId);
  await context.trx.deleteFrom('alert_rules').where('id', '=', ruleId).execute();
}

/**
 * The first schema. Frozen: a later change is a new migration, never an edit here. It imports
 * no application code, so it means the same thing forever.
 */
import type { Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are written against the schema of their own time, not today's types
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const serial = (builder: ReturnType<typeof db.schema.createTable>, name: string) =>
    dialect === 'postgres'
      ? builder.addColumn(name, 'bigserial', (column) => column.primaryKey())
      : builder.addColumn(name, 'integer', (column) => column.primaryKey().autoIncrement());

  await db.schema
    .createTable('counters')
    .addColumn('name', 'text', (column) => column.primaryKey())
    .addColumn('value', 'bigint', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('tariffs')
    .addColumn('version', 'integer', (column) => column.primaryKey())
    .addColumn('document', 'text', (column) => column.notNull())
    .addColumn('loaded_at', 'bigint', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('accounts')
    .addColumn('id', 'text', (column) => column.primaryKey())
    .addColumn('document', 'text', (column) => column.notNull())
    .addColumn('plan', 'text', (column) => column.notNull())
    .addColumn('next_plan', 'text')
    .addColumn('next_plan_from', 'integer')
    .addColumn('closed_through', 'integer', (column) => column.notNull())
    .addColumn('next_close_at', 'bigint', (column) => column.notNull())
    .addColumn('max_ended_at', 'bigint', (column) => column.notNull())
    .addColumn('drawn_time', 'bigint', (column) => column.notNull())
    .addColumn('drawn_call', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('accounts_next_close_at').on('accounts').column('next_close_at').execute();

  await serial(db.schema.createTable('bundle_purchases'), 'id')
    .addColumn('account_id', 'text', (column) => column.notNull().references('accounts.id'))
    .addColumn('bundle', 'text', (column) => column.notNull())
    .addColumn('purchased_at', 'bigint', (column) => column.notNull())
    .addColumn('expires_at', 'bigint', (column) => column.notNull())
    .addColumn('millis', 'bigint', (column) => column.notNull())
    .addColumn('left_millis', 'bigint', (column) => column.notNull())
    .addColumn('price_minor', 'bigint', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addUniqueConstraint('bundle_purchases_once', ['account_id', 'bundle', 'purchased_at'])
    .execute();

  await db.schema
    .createTable('numbers')
    .addColumn('account_id', 'text', (column) => column.notNull().references('accounts.id'))
    .addColumn('number', 'text', (column) => column.notNull())
    .addColumn('type', 'text', (column) => column.notNull())
    .addColumn('country', 'text', (column) => column.notNull())
    .addColumn('rented_at', 'bigint', (column) => column.notNull())
    .addColumn('released_at', 'bigint')
    .addPrimaryKeyConstraint('numbers_key', ['account_id', 'number', 'rented_at'])
    .execute();

  await db.schema
    .createTable('calls')
    .addColumn('call_id', 'text', (column) => column.primaryKey())
    .addColumn('account_id', 'text', (column) => column.notNull().references('accounts.id'))
    .addColumn('fingerprint', 'bigint', (column) => column.notNull())
    .addColumn('record', 'text', (column) => column.notNull())
    .addColumn('direction', 'text', (column) => column.notNull())
    .addColumn('time', 'bigint', (column) => column.notNull())
    .addColumn('ended_at', 'bigint', (column) => column.notNull())
    .addColumn('period_index', 'integer', (column) => column.notNull())
    .addColumn('billable_seconds', 'bigint', (column) => column.notNull())
    .addColumn('ai_seconds', 'bigint', (column) => column.notNull())
    .addColumn('carrier_prefix', 'text')
    .addColumn('carrier_country', 'text')
    .addColumn('carrier_seconds', 'bigint', (column) => column.notNull())
    .addColumn('carrier_micros', 'bigint', (column) => column.notNull())
    .addColumn('surcharge_micros', 'bigint', (column) => column.notNull())
    .addColumn('carrier_usage_millis', 'bigint', (column) => column.notNull())
    .addColumn('usage_millis', 'bigint', (column) => column.notNull())
    .addColumn('included_millis', 'bigint', (column) => column.notNull())
    .addColumn('bundle_millis', 'bigint', (column) => column.notNull())
    .addColumn('payg_millis', 'bigint', (column) => column.notNull())
    .addColumn('bundle_takes', 'text')
    .addColumn('adjusted_on', 'integer')
    .addColumn('received_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('calls_draw_order').on('calls').columns(['account_id', 'time', 'call_id']).execute();

  await db.schema
    .createTable('account_periods')
    .addColumn('account_id', 'text', (column) => column.notNull().references('accounts.id'))
    .addColumn('period_index', 'integer', (column) => column.notNull())
    .addColumn('period_start', 'bigint', (column) => column.notNull())
    .addColumn('period_end', 'bigint', (column) => column.notNull())
    .addColumn('plan', 'text', (column) => column.notNull())
    .addColumn('tariff_version', 'integer', (column) => column.notNull())
    .addColumn('included_millis', 'bigint', (column) => column.notNull())
    .addColumn('included_used', 'bigint', (column) => column.notNull())
    .addColumn('bundle_used', 'bigint', (column) => column.notNull())
    .addColumn('payg', 'bigint', (column) => column.notNull())
    .addColumn('calls', 'bigint', (column) => column.notNull())
    .addColumn('carrier_calls', 'bigint', (column) => column.notNull())
    .addColumn('carrier_micros', 'bigint', (column) => column.notNull())
    .addColumn('status', 'text', (column) => column.notNull())
    .addPrimaryKeyConstraint('account_periods_key', ['account_id', 'period_index'])
    .execute();

  await serial(db.schema.createTable('ledger_entries'), 'id')
    .addColumn('account_id', 'text', (column) => column.notNull())
    .addColumn('kind', 'text', (column) => column.notNull())
    .addColumn('source', 'text', (column) => column.notNull())
    .addColumn('period_index', 'integer')
    .addColumn('included_millis', 'bigint', (column) => column.notNull())
    .addColumn('bundle_millis', 'bigint', (column) => column.notNull())
    .addColumn('payg_millis', 'bigint', (column) => column.notNull())
    .addColumn('calls', 'bigint', (column) => column.notNull())
    .addColumn('carrier_calls', 'bigint', (column) => column.notNull())
    .addColumn('carrier_micros', 'bigint', (column) => column.notNull())
    .addColumn('bundle_takes', 'text')
    .addColumn('amount_minor', 'bigint', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('ledger_entries_account').on('ledger_entries').columns(['account_id', 'period_index']).execute();

  await serial(db.schema.createTable('adjustments'), 'id')
    .addColumn('account_id', 'text', (column) => column.notNull())
    .addColumn('corrects_period_index', 'integer', (column) => column.notNull())
    .addColumn('corrects_period_start', 'bigint', (column) => column.notNull())
    .addColumn('corrects_period_end', 'bigint', (column) => column.notNull())
    .addColumn('amount_minor', 'bigint', (column) => column.notNull())
    .addColumn('calls', 'integer', (column) => column.notNull())
    .addColumn('billed_in', 'integer')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .execute();

  await db.schema
    .createTable('invoices')
    .addColumn('number', 'bigint', (column) => column.primaryKey())
    .addColumn('account_id', 'text', (column) => column.notNull())
    .addColumn('period_index', 'integer', (column) => column.notNull())
    .addColumn('period_start', 'bigint', (column) => column.notNull())
    .addColumn('month', 'text', (column) => column.notNull())
    .addColumn('document', 'text', (column) => column.notNull())
    .addColumn('total_minor', 'bigint', (column) => column.notNull())
    .addColumn('closed_at', 'bigint', (column) => column.notNull())
    .addUniqueConstraint('invoices_once_per_period', ['account_id', 'period_index'])
    .execute();

  await db.schema
    .createTable('api_keys')
    .addColumn('hash', 'text', (column) => column.primaryKey())
    .addColumn('account_id', 'text')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .execute();
}

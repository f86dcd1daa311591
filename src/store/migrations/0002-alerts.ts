/**
 * Usage alerts (SPEC §11): rules, the firings that make each threshold fire once per period
 * (a unique key, written in the same transaction as the usage that crossed it), and the
 * durable outbox of deliveries with their attempts. Frozen once released.
 */
import type { Kysely } from 'kysely';

type Dialect = 'sqlite' | 'postgres';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are written against the schema of their own time
export async function up(db: Kysely<any>, dialect: Dialect): Promise<void> {
  const serial = (builder: ReturnType<typeof db.schema.createTable>, name: string) =>
    dialect === 'postgres'
      ? builder.addColumn(name, 'bigserial', (column) => column.primaryKey())
      : builder.addColumn(name, 'integer', (column) => column.primaryKey().autoIncrement());

  await serial(db.schema.createTable('alert_rules'), 'id')
    .addColumn('account_id', 'text', (column) => column.notNull().references('accounts.id'))
    .addColumn('metric', 'text', (column) => column.notNull())
    .addColumn('thresholds', 'text', (column) => column.notNull())
    .addColumn('channels', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('updated_at', 'bigint', (column) => column.notNull())
    .execute();
  await db.schema.createIndex('alert_rules_account').on('alert_rules').column('account_id').execute();

  await serial(db.schema.createTable('alert_firings'), 'id')
    .addColumn('event_id', 'text', (column) => column.notNull().unique())
    .addColumn('rule_id', 'bigint', (column) => column.notNull())
    .addColumn('account_id', 'text', (column) => column.notNull())
    .addColumn('period_index', 'integer', (column) => column.notNull())
    .addColumn('threshold', 'text', (column) => column.notNull())
    .addColumn('metric', 'text', (column) => column.notNull())
    .addColumn('value', 'text', (column) => column.notNull())
    .addColumn('payload', 'text', (column) => column.notNull())
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addUniqueConstraint('alert_firings_once_per_period', ['rule_id', 'period_index', 'threshold'])
    .execute();

  await serial(db.schema.createTable('alert_deliveries'), 'id')
    .addColumn('event_id', 'text', (column) => column.notNull())
    .addColumn('account_id', 'text', (column) => column.notNull())
    .addColumn('channel', 'text', (column) => column.notNull())
    .addColumn('target', 'text', (column) => column.notNull())
    .addColumn('secret', 'text')
    .addColumn('status', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull())
    .addColumn('next_attempt_at', 'bigint', (column) => column.notNull())
    .addColumn('give_up_at', 'bigint', (column) => column.notNull())
    .addColumn('last_status_code', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (column) => column.notNull())
    .addColumn('delivered_at', 'bigint')
    .execute();
  await db.schema.createIndex('alert_deliveries_due').on('alert_deliveries').columns(['status', 'next_attempt_at']).execute();
  await db.schema.createIndex('alert_deliveries_account').on('alert_deliveries').columns(['account_id', 'id']).execute();

  await serial(db.schema.createTable('alert_delivery_attempts'), 'id')
    .addColumn('delivery_id', 'bigint', (column) => column.notNull())
    .addColumn('attempted_at', 'bigint', (column) => column.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('latency_ms', 'integer', (column) => column.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('alert_delivery_attempts_delivery').on('alert_delivery_attempts').column('delivery_id').execute();
}

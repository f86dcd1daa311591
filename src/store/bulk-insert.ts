/**
 * Inserting many rows of one table at once, the fast way for each store: on PostgreSQL one
 * statement whose columns arrive as arrays (`INSERT … SELECT FROM unnest(…)`: 24 parameters
 * instead of 24,000 to parse), on SQLite one prepared single-row statement run per row
 * (better-sqlite3 runs it in microseconds, inside the caller's open transaction, since the
 * transaction and the statement share the one connection).
 */
import type BetterSqlite3 from 'better-sqlite3';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Store } from './database.js';
import type { StoreSchema } from './schema.js';

const preparedInserts = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

export type ColumnType = 'text' | 'int8' | 'int4';

export type ColumnTypes<Row> = { readonly [K in keyof Row]-?: ColumnType };

export async function insertMany<Row extends object>(
  store: Store,
  trx: Transaction<StoreSchema> | Kysely<StoreSchema>,
  table: keyof StoreSchema,
  columns: ColumnTypes<Row>,
  rows: readonly Row[],
): Promise<void> {
  if (rows.length === 0) return;
  const names = Object.keys(columns) as (keyof Row & string)[];
  if (store.sqlite) {
    const text = `INSERT INTO "${table}" (${names.map((name) => `"${name}"`).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`;
    let statements = preparedInserts.get(store.sqlite);
    if (!statements) preparedInserts.set(store.sqlite, (statements = new Map<string, BetterSqlite3.Statement>()));
    let statement = statements.get(text);
    if (!statement) statements.set(text, (statement = store.sqlite.prepare(text)));
    for (const row of rows) statement.run(names.map((name) => row[name] as unknown));
    return;
  }
  const arrays = names.map((name) => sql`${rows.map((row) => row[name] as unknown)}::${sql.raw(columns[name])}[]`);
  await sql`INSERT INTO ${sql.table(table)} (${sql.join(names.map((name) => sql.ref(name)))}) SELECT * FROM unnest(${sql.join(arrays)})`.execute(trx);
}

/**
 * Versioned migrations, run at start-up by Kysely's migrator, which records what ran in its
 * own table and takes a lock, so two processes starting on one PostgreSQL migrate once.
 */
import { Migrator, type Migration } from 'kysely';
import type { Store } from './database.js';
import * as initial from './migrations/0001-initial.js';
import * as alerts from './migrations/0002-alerts.js';

export async function migrateToLatest(store: Store): Promise<void> {
  const migrations: Record<string, Migration> = {
    '0001-initial': { up: (db) => initial.up(db, store.dialect) },
    '0002-alerts': { up: (db) => alerts.up(db, store.dialect) },
  };
  const migrator = new Migrator({ db: store.db, provider: { getMigrations: () => Promise.resolve(migrations) } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error !== undefined || failed) {
    throw new Error(`migrating ${store.location} failed${failed ? ` at ${failed.migrationName}` : ''}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Opening the store: embedded SQLite (a file path, the default) or PostgreSQL (a
 * `postgres://` URL), behind one Kysely instance, migrated to the latest schema on open.
 * Integers come back as JS numbers on both: PostgreSQL `bigint` would otherwise arrive as a
 * string, and every value we keep (epoch micros, usage millis, minor units) is below 2^53.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrate.js';
import type { StoreSchema } from './schema.js';

export type StoreDialect = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<StoreSchema>;
  readonly dialect: StoreDialect;
  /** Where the data lives, for messages (a URL's password is hidden). */
  readonly location: string;
  /** The SQLite connection itself, for bulk inserts through cached prepared statements. */
  readonly sqlite?: BetterSqlite3.Database;
  close(): Promise<void>;
}

const INT8_OID = 20;
const NUMERIC_OID = 1700;

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

function parseSafeInteger(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`integer ${text} from the database is beyond 2^53`);
  return value;
}

/**
 * Transactions begin IMMEDIATE: they take SQLite's write lock at once, so a second process on
 * the same file waits (busy_timeout) instead of failing when its read would turn into a write.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly database: BetterSqlite3.Database) {
    super({ database });
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.database });
  }
}

export async function openStore(location: string): Promise<Store> {
  if (isPostgresUrl(location)) {
    const pool = new pg.Pool({
      connectionString: location,
      max: 10,
      types: {
        getTypeParser: (oid: number, format?: string) =>
          oid === INT8_OID || oid === NUMERIC_OID ? parseSafeInteger : (pg.types.getTypeParser as (oid: number, format?: string) => (text: string) => unknown)(oid, format),
      },
    });
    // An idle connection the server drops (a restart, an administrator) is an 'error' event on
    // the pool; unheard, Node would end the process. The pool has already discarded the client,
    // and the next query opens a new one.
    pool.on('error', () => undefined);
    const db = new Kysely<StoreSchema>({ dialect: new PostgresDialect({ pool }) });
    const store: Store = { db, dialect: 'postgres', location: location.replace(/:[^:@/]*@/, ':***@'), close: () => db.destroy() };
    await migrateToLatest(store);
    return store;
  }
  const path = resolve(location);
  mkdirSync(dirname(path), { recursive: true });
  const database = new BetterSqlite3(path);
  database.pragma('journal_mode = WAL');
  // WAL with NORMAL: a commit is in the log before it is answered, so a crashed or killed
  // process loses nothing acknowledged; only a power cut may lose the last commits (the
  // database stays whole, and a batch sent again is idempotent). FULL would fsync every
  // commit and cost a third of the ingest time. PostgreSQL is the store for durability.
  database.pragma('synchronous = NORMAL');
  // 64 MB of page cache: the call-id and draw-order indexes are written all over.
  database.pragma('cache_size = -65536');
  database.pragma('busy_timeout = 10000');
  database.pragma('foreign_keys = ON');
  const db = new Kysely<StoreSchema>({ dialect: new ImmediateSqliteDialect(database) });
  const store: Store = { db, dialect: 'sqlite', location: path, sqlite: database, close: () => db.destroy() };
  await migrateToLatest(store);
  return store;
}

/**
 * Every database test runs on both stores (STYLE.md habit 7): embedded SQLite in a temporary
 * file, and a real PostgreSQL (127.0.0.1:5432, or VOICEBILL_TEST_POSTGRES) in a database of
 * its own, made for the test and dropped after it.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export const POSTGRES_ADMIN_URL = process.env.VOICEBILL_TEST_POSTGRES ?? 'postgres://postgres@127.0.0.1:5432/test';

export type TestDatabaseKind = 'sqlite' | 'postgres';
export const DATABASE_KINDS: readonly TestDatabaseKind[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  /** What `openStore` / `--db` take. */
  readonly location: string;
  drop(): Promise<void>;
}

async function withAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export async function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const folder = mkdtempSync(join(tmpdir(), 'voicebill-test-'));
    return { location: join(folder, 'voicebill.db'), drop: () => Promise.resolve(rmSync(folder, { recursive: true, force: true })) };
  }
  const name = `voicebill_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    location: url.toString(),
    drop: () => withAdmin((client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

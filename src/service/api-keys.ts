/**
 * API keys (issue 3 §5): random 256-bit strings shown once, stored only as their SHA-256.
 * A fast hash is enough for keys this long (no dictionary to try), and it lets a request be
 * checked with one indexed lookup. The prefix tells a reader what a key opens.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './account-ledger.js';
import type { Caller } from './billing-service.js';

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function newKey(kind: 'operator' | 'account'): string {
  return `${kind === 'operator' ? 'vb_op_' : 'vb_acct_'}${randomBytes(32).toString('base64url')}`;
}

export async function storeKey(db: Db, key: string, accountId: string | null, now: number): Promise<void> {
  await db.insertInto('api_keys').values({ hash: hashKey(key), account_id: accountId, created_at: now }).onConflict((conflict) => conflict.column('hash').doNothing()).execute();
}

export async function hasOperatorKey(db: Db): Promise<boolean> {
  return (await db.selectFrom('api_keys').select('hash').where('account_id', 'is', null).limit(1).executeTakeFirst()) !== undefined;
}

export async function callerOf(db: Db, key: string): Promise<Caller | undefined> {
  const row = await db.selectFrom('api_keys').select('account_id').where('hash', '=', hashKey(key)).executeTakeFirst();
  if (!row) return undefined;
  return row.account_id === null ? { kind: 'operator' } : { kind: 'account', accountId: row.account_id };
}

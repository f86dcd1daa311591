/**
 * The tariff's versions (SPEC §16 `PUT /v1/tariff`): each load is a new version, and a
 * period is billed under the version in force when it started, so a new version applies from
 * each account's next period. The very first version also covers periods before it.
 * Parsed tariffs are kept per version (parsing a 5,000-row deck costs ~0.2 s).
 */
import type { Kysely } from 'kysely';
import type { Tariff } from '../core/tariff.js';
import { tariffFromDocument } from '../formats/tariff-file.js';
import type { StoreSchema } from '../store/schema.js';
import { ServiceError } from './service-error.js';

interface VersionRow {
  readonly version: number;
  readonly loadedAt: number;
}

export class TariffVersions {
  private versions: VersionRow[] = [];
  private readonly parsed = new Map<number, Tariff>();

  /** Re-reads the list of versions (cheap): another process may have loaded one. */
  async refresh(db: Kysely<StoreSchema>): Promise<void> {
    const rows = await db.selectFrom('tariffs').select(['version', 'loaded_at']).orderBy('version').execute();
    this.versions = rows.map((row) => ({ version: row.version, loadedAt: row.loaded_at }));
  }

  get latest(): number | undefined {
    return this.versions.at(-1)?.version;
  }

  /** The version a period starting at `periodStart` is billed under. */
  versionFor(periodStart: number): number {
    let chosen: number | undefined;
    for (const row of this.versions) {
      if (row.loadedAt <= periodStart) chosen = row.version;
    }
    const first = this.versions[0];
    if (first === undefined) throw new ServiceError('no_tariff', 'no tariff is loaded yet: PUT /v1/tariff first');
    return chosen ?? first.version;
  }

  async tariff(db: Kysely<StoreSchema>, version: number): Promise<Tariff> {
    const cached = this.parsed.get(version);
    if (cached) return cached;
    const row = await db.selectFrom('tariffs').select('document').where('version', '=', version).executeTakeFirst();
    if (!row) throw new ServiceError('no_tariff', `tariff version ${version} is not stored`);
    const tariff = tariffFromDocument(`tariff version ${version}`, JSON.parse(row.document));
    this.parsed.set(version, tariff);
    return tariff;
  }

  async latestTariff(db: Kysely<StoreSchema>): Promise<{ version: number; tariff: Tariff }> {
    await this.refresh(db);
    const version = this.latest;
    if (version === undefined) throw new ServiceError('no_tariff', 'no tariff is loaded yet: PUT /v1/tariff first');
    return { version, tariff: await this.tariff(db, version) };
  }
}

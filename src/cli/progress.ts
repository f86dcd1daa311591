/** A progress bar on stderr for long reads: only on a terminal, only for large files. */
import { createRequire } from 'node:module';

const LARGE_FILE_BYTES = 16 * 1024 * 1024;

export interface Progress {
  update(done: number, total: number): void;
  stop(): void;
}

const SILENT: Progress = { update() {}, stop() {} };

export function progressFor(label: string, totalBytes: number): Progress {
  if (!process.stderr.isTTY || totalBytes < LARGE_FILE_BYTES || process.env.CI) return SILENT;
  // Loaded only when a bar is shown: it costs ~80 ms of start-up.
  const { SingleBar, Presets } = createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} MB | {duration_formatted} elapsed, ETA {eta_formatted}`,
      hideCursor: true,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  );
  const megabytes = (bytes: number): number => Math.round(bytes / (1024 * 1024));
  bar.start(megabytes(totalBytes), 0);
  let last = 0;
  return {
    update(done) {
      const now = megabytes(done);
      if (now !== last) {
        last = now;
        bar.update(now);
      }
    },
    stop() {
      bar.stop();
    },
  };
}

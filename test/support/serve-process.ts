/**
 * A `voicebill serve` child process, as an operator runs it, for tests that need real
 * processes: two servers on one PostgreSQL, a server killed with SIGKILL and restarted.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './cli.js';

export const TEST_OPERATOR_KEY = 'vb_op_test_operator_key';

export interface ServeProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly baseUrl: string;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  output(): string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function startServe(db: string, extraArgs: readonly string[] = []): Promise<ServeProcess> {
  const child = spawn(process.execPath, [join(REPO, 'bin/voicebill.js'), 'serve', '--port', '0', '--db', db, '--close-interval', '0', ...extraArgs], {
    cwd: REPO,
    env: { ...process.env, VOICEBILL_OPERATOR_KEY: TEST_OPERATOR_KEY, DATABASE_URL: '' },
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`serve did not start in 60 s:\n${output}`)), 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const listening = /listening on (http:\/\/\S+)/.exec(output);
      if (listening?.[1]) {
        clearTimeout(timeout);
        resolve({
          child,
          baseUrl: listening[1],
          exited,
          output: () => output,
          kill: async (signal = 'SIGTERM') => {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            await exited;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timeout);
      reject(new Error(`serve exited ${code} before listening:\n${output}`));
    });
  });
}

/** JSON over HTTP with a key; answers status and parsed body. */
export async function api(baseUrl: string, method: string, path: string, body?: unknown, key = TEST_OPERATOR_KEY): Promise<{ status: number; body: unknown }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
}

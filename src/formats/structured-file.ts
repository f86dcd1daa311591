/** Reading a YAML or JSON document (tariffs, accounts) with errors that name the file and line. */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { InputError } from './input-error.js';

export function readStructuredFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(path, undefined, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseStructuredText(path, text);
}

/** YAML is a superset of JSON, so one parser reads both; duplicate keys are an error. */
export function parseStructuredText(name: string, text: string): unknown {
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  const problem = document.errors[0];
  if (problem) {
    const where = problem.linePos?.[0] ? `line ${problem.linePos[0].line}` : undefined;
    throw new InputError(name, where, problem.message.split('\n')[0] ?? problem.message);
  }
  return document.toJS({ maxAliasCount: 100 }) as unknown;
}

/** Reading a YAML or JSON document (tariffs, accounts) with errors that name the file and line. */
import { readFileSync } from 'node:fs';
import { load, YAMLException } from 'js-yaml';
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

/** Aliases (`*name`) are rare in these files; a cap keeps a crafted file from multiplying itself. */
const MAX_ALIASES = 100;

/**
 * YAML is a superset of JSON, so one parser reads both (YAML 1.2 core schema: dates and
 * times stay strings, `1_000` is text, not a number); duplicate keys are an error.
 */
export function parseStructuredText(name: string, text: string): unknown {
  try {
    return load(text, { maxAliases: MAX_ALIASES });
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    const where = error.mark ? `line ${error.mark.line + 1}` : undefined;
    const reason = error.reason === 'duplicated mapping key' ? 'duplicated mapping key: map keys must be unique' : error.reason;
    throw new InputError(name, where, reason);
  }
}

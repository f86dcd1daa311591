/**
 * Reading the JSON platforms export (Vapi, Retell): an array of calls, one call object, or
 * JSON Lines. Each call keeps its 1-based position: the index in the array, or the line in a
 * JSON Lines file (the same number unless the file has blank lines).
 */
import type { ImportProblem } from './importer.js';

export type JsonObject = Readonly<Record<string, unknown>>;

export interface JsonCall {
  readonly index: number;
  readonly value: unknown;
}

export function readJsonCalls(text: string): { calls: JsonCall[]; problems: ImportProblem[] } {
  const trimmed = text.trim();
  if (trimmed === '') return { calls: [], problems: [] };
  try {
    const document: unknown = JSON.parse(trimmed);
    const values = Array.isArray(document) ? (document as unknown[]) : [document];
    return { calls: values.map((value, position) => ({ index: position + 1, value })), problems: [] };
  } catch (error) {
    const lines = text.split(/\r?\n/);
    const nonBlank = lines.filter((line) => line.trim() !== '').length;
    // One document spread over lines (or an array) that does not parse is one bad document,
    // not a JSON Lines file with many bad lines.
    if (trimmed.startsWith('[') || nonBlank === 1 || !lines.some((line) => line.trim().startsWith('{') && line.trim().endsWith('}'))) {
      return { calls: [], problems: [{ line: 1, message: `not JSON: ${messageOf(error)}` }] };
    }
    return readJsonLines(lines);
  }
}

function readJsonLines(lines: readonly string[]): { calls: JsonCall[]; problems: ImportProblem[] } {
  const calls: JsonCall[] = [];
  const problems: ImportProblem[] = [];
  lines.forEach((line, position) => {
    if (line.trim() === '') return;
    try {
      calls.push({ index: position + 1, value: JSON.parse(line) });
    } catch (error) {
      problems.push({ line: position + 1, message: `not JSON: ${messageOf(error)}` });
    }
  });
  return { calls, problems };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** The first of `keys` holding a non-empty string (or a number, as text); '' when none. */
export function stringField(object: JsonObject | undefined, ...keys: string[]): string {
  for (const key of keys) {
    const value = object?.[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  }
  return '';
}

/** The first of `keys` holding a finite number (or numeric text); undefined when none. */
export function numberField(object: JsonObject | undefined, ...keys: string[]): number | undefined {
  for (const key of keys) {
    const value = object?.[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    if (typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) return Number(value);
  }
  return undefined;
}

import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { UserError, messageOf } from '../util/errors.js';
import type { IngestIssue } from '../spec/plan.js';

/** One parsed document of a file; JSON Lines files give one per line. */
export interface ParsedDocument {
  line?: number;
  value: unknown;
}

export interface ParsedFile {
  documents: ParsedDocument[];
  /** JSON Lines lines that are not JSON: skipped and reported, the rest of the file is still read. */
  badLines: IngestIssue[];
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `${file} does not exist; check the path.` : `Cannot read ${file}: ${messageOf(err)}.`);
  }
}

function parseLines(file: string, text: string): ParsedFile {
  const out: ParsedFile = { documents: [], badLines: [] };
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      out.documents.push({ line: i + 1, value: JSON.parse(raw) });
    } catch (err) {
      out.badLines.push({ file, line: i + 1, pointer: '', reason: `the line is not valid JSON (${messageOf(err)})` });
    }
  });
  return out;
}

/**
 * Parse a JSON, JSON Lines or YAML file. A `.json` file that is not one JSON value but whose first
 * line is one is read as JSON Lines (BFCL ships JSON Lines named `.json`).
 */
export function parseFile(file: string): ParsedFile {
  const text = readText(file);
  const lower = file.toLowerCase();
  if (lower.endsWith('.jsonl') || lower.endsWith('.ndjson')) return parseLines(file, text);
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) {
    try {
      return { documents: [{ value: parseYaml(text, { maxAliasCount: 10_000 }) }], badLines: [] };
    } catch (err) {
      throw new UserError(`${file} is not valid YAML (${messageOf(err).split('\n')[0]}); fix the file or leave it out.`);
    }
  }
  try {
    return { documents: [{ value: JSON.parse(text) }], badLines: [] };
  } catch (err) {
    const firstLine = text.split('\n', 1)[0] ?? '';
    const looksLikeLines = (() => {
      try {
        JSON.parse(firstLine);
        return text.trim().includes('\n');
      } catch {
        return false;
      }
    })();
    if (looksLikeLines) return parseLines(file, text);
    throw new UserError(`${file} is not valid JSON (${messageOf(err)}); fix the file or leave it out.`);
  }
}

import type { IngestIssue } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';

/** A tool as a reader found it: the name is not yet sanitized or unique. */
export type RawTool = ToolSpec;

/** Where a reader is working: the file, the line for JSON Lines, and the pointer of the document. */
export interface Place {
  file: string;
  line?: number;
  pointer: string;
}

/** What a reader returns for one document. */
export interface ReadResult {
  tools: RawTool[];
  skipped: IngestIssue[];
  notes: IngestIssue[];
}

export function emptyResult(): ReadResult {
  return { tools: [], skipped: [], notes: [] };
}

export function issueAt(place: Place, pointer: string, reason: string): IngestIssue {
  return place.line === undefined
    ? { file: place.file, pointer, reason }
    : { file: place.file, line: place.line, pointer, reason };
}

/** A JSON pointer with one more reference token (RFC 6901 escaping). */
export function childPointer(pointer: string, token: string | number): string {
  return `${pointer}/${String(token).replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** The source string of a record: file, line for JSON Lines, and pointer. */
export function sourceOf(place: Place, pointer: string): string {
  return `${place.file}${place.line === undefined ? '' : `:${place.line}`}#${pointer}`;
}

/**
 * The document a source string names: everything before the JSON pointer (`#...`), that is the
 * file with its line for JSON Lines, or a corpus list's own origin (`owner/repo@commit:path`).
 * Tools listed in one document came from one API, server or tool list.
 */
export function documentOf(source: string): string {
  const hash = source.indexOf('#');
  return hash < 0 ? source : source.slice(0, hash);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { IngestReport } from '../spec/plan.js';
import type { ToolSpec } from '../spec/tool.js';
import { UserError, messageOf } from '../util/errors.js';
import { readDocument } from './detect.js';
import { assignNames } from './names.js';
import { parseFile } from './parse.js';
import type { RawTool } from './types.js';

const EXTENSIONS = /\.(json|jsonl|ndjson|ya?ml)$/i;

export interface IngestResult {
  tools: ToolSpec[];
  report: IngestReport;
}

/** Files named directly, and the tool-collection files below named folders (sorted, hidden ones skipped). */
export function listInputFiles(paths: string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (EXTENSIONS.test(entry.name)) files.push(full);
    }
  };
  for (const p of paths) {
    let isDir: boolean;
    try {
      isDir = statSync(p).isDirectory();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UserError(code === 'ENOENT' ? `${p} does not exist; check the path.` : `Cannot read ${p}: ${messageOf(err)}.`);
    }
    if (isDir) walk(p);
    else files.push(p);
  }
  return files;
}

/**
 * Read tool collections into normalized tools with unique MCP-valid names. Every input record
 * ends up as a tool, a reported skip, or a reported duplicate; unreadable files throw UserError.
 */
export function ingest(paths: string[], onFile?: (file: string) => void): IngestResult {
  const files = listInputFiles(paths);
  if (files.length === 0) throw new UserError(`No .json, .jsonl or .yaml files found in ${paths.join(', ')}; name tool collection files or folders.`);
  const report: IngestReport = { files: [], unrecognized: [], skipped: [], duplicates: [], renamed: [], notes: [] };
  const raw: RawTool[] = [];
  for (const file of files) {
    onFile?.(file);
    const parsed = parseFile(file);
    report.skipped.push(...parsed.badLines);
    const formats = new Map<string, number>();
    let tools = 0;
    let skipped = parsed.badLines.length;
    for (const doc of parsed.documents) {
      const result = readDocument(doc.value, { file, line: doc.line, pointer: '' });
      if ('unrecognized' in result) {
        if (doc.line === undefined) report.unrecognized.push({ file, reason: result.unrecognized });
        else report.skipped.push({ file, line: doc.line, pointer: '', reason: `the line is ${result.unrecognized}` });
        if (doc.line !== undefined) skipped++;
        continue;
      }
      formats.set(result.format, (formats.get(result.format) ?? 0) + 1);
      raw.push(...result.tools);
      report.skipped.push(...result.skipped);
      report.notes.push(...result.notes);
      tools += result.tools.length;
      skipped += result.skipped.length;
    }
    const format = [...formats.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    if (format) report.files.push({ file, format, tools, skipped });
  }
  const named = assignNames(raw);
  report.duplicates = named.duplicates;
  report.renamed = named.renamed;
  return { tools: named.tools, report };
}

import type { CorpusFile, IngestReport } from '../spec/plan.js';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/files.js';
import { markdownTable } from '../util/table.js';
import { ingest } from './ingest.js';

export interface IngestCommandOptions {
  out: string;
  report?: boolean;
}

/** A short account of an ingest run; with `full`, a table per file and the first skipped records. */
export function describeIngest(toolCount: number, report: IngestReport, full: boolean): string {
  const lines = [
    `${toolCount} tools from ${report.files.length} files: ${report.skipped.length} skipped, ${report.duplicates.length} exact duplicates kept once, ` +
      `${report.renamed.length} renamed, ${report.notes.length} notes, ${report.unrecognized.length} files not recognized.`,
  ];
  for (const u of report.unrecognized) lines.push(`not a tool collection: ${u.file} (${u.reason})`);
  if (full) {
    lines.push('', markdownTable(['file', 'format', 'tools', 'skipped'], report.files.map((f) => [f.file, f.format, f.tools, f.skipped])));
    if (report.skipped.length > 0) {
      lines.push('', markdownTable(['skipped in', 'pointer', 'reason'], report.skipped.slice(0, 20).map((s) => [`${s.file}${s.line ? `:${s.line}` : ''}`, s.pointer || '/', s.reason])));
      if (report.skipped.length > 20) lines.push(`(${report.skipped.length - 20} more in the report of the corpus file)`);
    }
  }
  return lines.join('\n');
}

/** `envscale ingest`: read collections, write corpus.json atomically, print what happened. */
export function runIngest(paths: string[], opts: IngestCommandOptions): void {
  const { tools, report } = ingest(paths);
  if (tools.length === 0) throw new UserError(`No tools in ${paths.join(', ')} (${whyNoTools(report)}), so nothing was written to ${opts.out}; ingest reads OpenAI tool definitions (JSON or JSONL), MCP tools/list results, lists of servers with their tools (\`[{name, tools}]\`, \`{servers: {name: {tools}}}\`, tools with \`inputSchema\` or \`input_schema\`), OpenAPI 3 / Swagger 2 (JSON or YAML) and BFCL files.`);
  const corpus: CorpusFile = { format: 'envscale-corpus', version: 1, tools, report };
  writeFileAtomic(opts.out, `${JSON.stringify(corpus, null, 1)}\n`);
  process.stdout.write(`Wrote ${opts.out}. ${describeIngest(tools.length, report, opts.report === true)}\n`);
}

/** Why an ingest found no tool: what the files were, in a few words. */
function whyNoTools(report: IngestReport): string {
  const parts = [
    ...report.unrecognized.slice(0, 2).map((u) => `${u.file} is ${u.reason.startsWith('not ') ? '' : 'not a tool collection: '}${u.reason}`),
    ...report.files.slice(0, 2).map((f) => `${f.file} (${f.format}) has ${f.skipped ? `only definitions that were skipped, the first because ${report.skipped.find((s) => s.file === f.file)?.reason ?? '?'}` : 'no tool definitions'}`),
  ];
  const more = report.unrecognized.length + report.files.length - parts.length;
  return parts.join('; ') + (more > 0 ? `; and ${more} more files` : '');
}

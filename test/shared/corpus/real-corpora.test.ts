import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ingest } from '../../../src/corpus/ingest.js';
import { ToolSpec } from '../../../src/spec/tool.js';
import { CORPORA } from '../paths.js';

const corpora = CORPORA;

describe('the shared real corpora', () => {
  it('ingest without an error, every record accounted for', () => {
    const { tools, report } = ingest([corpora]);
    expect(report.skipped).toEqual([]);
    // The only files that are not tool collections are the OpenAPI folders' indexes (the folder grows).
    expect(report.unrecognized.length).toBeGreaterThan(0);
    for (const u of report.unrecognized) expect(u.file).toMatch(/\/index\.json$/);
    const perFile = Object.fromEntries(report.files.map((f) => [f.file.slice(corpora.length + 1), f.tools]));
    expect(perFile['bfcl_functions.json']).toBe(3311);
    expect(perFile['bfcl_multi_turn_classes.json']).toBe(162);
    expect(perFile['openapi/slack.com__1.7.0.openapi.json']).toBe(174);
    expect(perFile['openapi/jira.local__1.0.0.swagger.json']).toBe(324);
    const read = report.files.reduce((s, f) => s + f.tools, 0);
    expect(tools.length + report.duplicates.length).toBe(read);
    expect(new Set(tools.map((t) => t.name)).size).toBe(tools.length);
    for (const t of tools) expect(ToolSpec.safeParse(t).success).toBe(true);
  });

  it('keeps the fields a BFCL response schema returns, with their descriptions', () => {
    const { tools } = ingest([resolve(corpora, 'bfcl_multi_turn_classes.json')]);
    const ticket = tools.find((t) => t.source.endsWith('#get_ticket'))!;
    expect(ticket.returns).toMatch(/^id: .*\ntitle: .*\ndescription: /s);
    expect(ticket.returns).toContain('created_by');
  });
});

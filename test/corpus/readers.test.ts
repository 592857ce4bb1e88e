import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inlineRefs } from '../../src/corpus/refs.js';
import { compileArguments } from '../../src/env/arguments.js';
import { toParameters } from '../../src/corpus/schema.js';
import { ingest } from '../../src/corpus/ingest.js';
import { assignNames, sanitizeName } from '../../src/corpus/names.js';
import { ToolSpec } from '../../src/spec/tool.js';
import { UserError } from '../../src/util/errors.js';
import { CLI } from '../helpers/mcp.js';

const repoRoot = resolve(fileURLToPath(import.meta.url), '../../..');
const fx = (p: string) => resolve(repoRoot, 'fixtures/corpus', p);
const byName = (tools: ToolSpec[], name: string) => tools.find((t) => t.name === name)!;

describe('readers on small collections', () => {
  const { tools, report } = ingest([fx('collections')]);

  it('gives every tool a valid, unique name and a source', () => {
    for (const t of tools) expect(ToolSpec.safeParse(t).success).toBe(true);
    expect(new Set(tools.map((t) => t.name)).size).toBe(tools.length);
    expect(tools.every((t) => t.source.length > 0)).toBe(true);
  });

  it('reads OpenAI tools and keeps a tool without parameters', () => {
    expect(byName(tools, 'weather_current').parameters.required).toEqual(['city']);
    expect(byName(tools, 'ping').parameters).toEqual({ type: 'object', properties: {} });
    expect(report.files.find((f) => f.file.endsWith('openai-tools.json'))!.format).toBe('openai');
  });

  it('reads JSON Lines, skipping a bad line with its line number', () => {
    expect(byName(tools, 'create_event').parameters.properties).toHaveProperty('attendee_emails');
    expect(report.skipped).toContainEqual(expect.objectContaining({ file: fx('collections/calendar-functions.jsonl'), line: 3 }));
  });

  it('reads an MCP tools/list result and skips a tool without inputSchema', () => {
    expect(byName(tools, 'write_file').parameters.required).toEqual(['path', 'content']);
    const skip = report.skipped.find((s) => s.pointer === '/result/tools/3')!;
    expect(skip.reason).toMatch(/list_directory.*inputSchema/);
  });

  it('turns OpenAPI 3.1 operations into tools with flattened, resolved parameters', () => {
    const list = byName(tools, 'listPets');
    expect(list.parameters.properties!.limit).toMatchObject({ type: 'integer', maximum: 100, 'x-in': 'query' });
    expect(list.method).toBe('GET');
    expect(list.returns).toBe('A page of pets');
    const add = byName(tools, 'post_pets');
    expect(add.parameters.required).toEqual(['name']);
    const category = add.parameters.properties!.category as { properties: { parent: { description: string } } };
    expect(category.properties.parent.description).toMatch(/recursive reference to Category/);
    expect(byName(tools, 'showPetById').parameters.required).toEqual(['petId']);
    // Accept, Content-Type and Authorization headers are the transport's, not the call's (OpenAPI 3: ignored).
    expect(Object.keys(byName(tools, 'deletePet').parameters.properties!)).toEqual(['petId', 'X-Request-Id']);
    expect(byName(tools, 'deletePet').parameters.required).toEqual(['petId']);
    expect(report.skipped.find((s) => s.pointer === '/paths/~1owners~1{ownerId}/get')!.reason).toMatch(/OwnerId does not resolve/);
  });

  it('turns Swagger 2.0 body and formData parameters into properties', () => {
    const order = byName(tools, 'createOrder');
    expect(order.parameters.required).toEqual(['sku', 'quantity']);
    expect(order.parameters.properties!.shipping).toMatchObject({ type: 'object' });
    expect(order.parameters.properties).toHaveProperty('Idempotency-Key');
    const receipt = byName(tools, 'put_orders_by_orderId_receipt');
    expect(receipt.parameters.properties!.file).toMatchObject({ type: 'string', 'x-in': 'formData' });
    expect(receipt.group).toBe('Shop');
  });

  it("maps BFCL's pseudo-types to JSON Schema and keeps the original", () => {
    const area = byName(tools, 'geometry_triangle_area');
    expect(area.parameters.properties!.base).toEqual({ type: 'number', description: 'The base.', 'x-bfcl-type': 'float' });
    const move = byName(tools, 'robot_move').parameters.properties!;
    expect(move.waypoints).toMatchObject({ type: 'array', items: { type: 'array', items: { type: 'number' } } });
    expect(move.options).toMatchObject({ type: 'object', properties: { speed: { type: 'number' } } });
    expect(move.label).toMatchObject({ type: 'string', 'x-bfcl-type': 'any' });
  });

  it('lets a type follow the enum that contradicts it, so the tool can be called at all', () => {
    const params = toParameters({
      type: 'dict',
      properties: {
        smoking: { type: 'boolean', enum: ['true', 'false', 'dontcare'] },
        rooms: { type: 'integer', enum: ['1', 2, 'dontcare'] },
        stars: { type: 'number', enum: [1, 2.5] },
      },
    });
    if (typeof params === 'string') throw new Error(params);
    expect(params.properties!.smoking).toEqual({ type: 'string', enum: ['true', 'false', 'dontcare'], 'x-declared-type': 'boolean' });
    expect(params.properties!.rooms).toMatchObject({ type: ['string', 'integer'], 'x-declared-type': 'integer' });
    expect(params.properties!.stars).toEqual({ type: 'number', enum: [1, 2.5] });
    expect(compileArguments(params)({ smoking: 'dontcare', rooms: 2 })).toBe(true);
  });

  it('keeps the output contract: the JSON success response with component names as titles', () => {
    // OpenAPI 3: the 200 response's JSON schema (not `default`, an error), $refs inlined, names kept.
    const page = byName(tools, 'listPets').outputSchema!;
    expect(page).toMatchObject({ title: 'PetPage', type: 'object', properties: { data: { type: 'array', items: { title: 'Pet', required: ['name'] } }, next: { nullable: true } } });
    // A recursive reference is cut, keeping its name.
    const pet = (page.properties as Record<string, { items: { properties: { category: { properties: { parent: unknown } } } } }>).data.items;
    expect(pet.properties.category.properties.parent).toMatchObject({ type: 'object', title: 'Category', description: expect.stringMatching(/cut off/) });
    // A JSON media type other than application/json (JSON:API) is JSON too; XML is not.
    expect(byName(tools, 'post_pets').outputSchema).toMatchObject({ title: 'Pet', type: 'object' });
    // A success response whose schema is a reference to nothing: the tool stays, without a contract, noted.
    expect(byName(tools, 'showPetById').outputSchema).toBeUndefined();
    expect(report.notes).toContainEqual(expect.objectContaining({ pointer: '/paths/~1pets~1{petId}/get', reason: expect.stringMatching(/200 response.*Missing does not resolve/) }));
    // Swagger 2: the response `schema`, unless the operation produces no JSON.
    expect(byName(tools, 'createOrder').outputSchema).toMatchObject({ title: 'Order', properties: { shipping: { title: 'Address' } } });
    expect(byName(tools, 'put_orders_by_orderId_receipt').outputSchema).toBeUndefined();
    // BFCL `response` with pseudo-types mapped; MCP `outputSchema` with its own $defs inlined.
    expect(byName(tools, 'geometry_triangle_area').outputSchema).toMatchObject({ type: 'object', properties: { area: { type: 'number' } } });
    expect(byName(tools, 'read_file').outputSchema).toEqual({ type: 'object', properties: { file: { title: 'File', type: 'object', properties: { path: { type: 'string' }, content: { type: 'string' } } } } });
    expect(byName(tools, 'ping').outputSchema).toBeUndefined();
  });

  it('resolves name collisions in input order and reports each rename', () => {
    // `search` is in the JSON Lines file (read first) and in the MCP list.
    expect(byName(tools, 'search').description).toMatch(/calendar/);
    expect(byName(tools, 'search_2').description).toMatch(/files/);
    expect(report.renamed).toContainEqual(expect.objectContaining({ from: 'search', to: 'search_2' }));
    expect(report.renamed).toContainEqual(expect.objectContaining({ from: 'weather.current', to: 'weather_current' }));
  });
});

describe('collections of servers', () => {
  const think = { name: 'think', description: 'Think out loud.', input_schema: { type: 'object', properties: { thought: { type: 'string' } } } };
  const mcp = (name: string, params: string[]) => ({ name, description: name, inputSchema: { type: 'object', properties: Object.fromEntries(params.map((p) => [p, { type: 'string' }])) } });

  it("read each server's tools with the server as their origin and group, in every common shape", () => {
    const dir = mkdtempSync(join(tmpdir(), 'envscale-servers-'));
    try {
      // An array of server entries whose tools are in Anthropic's format, both with the same helper.
      writeFileSync(join(dir, 'array.json'), JSON.stringify([
        { name: 'wallet', description: 'A wallet', tools: [think, { name: 'get_balance', description: 'Balance', input_schema: { type: 'object', properties: { account_id: { type: 'string' } }, required: ['account_id'] } }] },
        { name: 'notes', tools: [think, { name: 'add_note', description: 'Add', input_schema: { type: 'object', properties: { text: { type: 'string' } } } }] },
      ]));
      // `servers` as a map by name, and as an array with one entry that holds no tools.
      writeFileSync(join(dir, 'map.json'), JSON.stringify({ servers: { figma: { tools: [mcp('get_file', ['file_key']), mcp('get_node', ['file_key', 'node_id'])] } } }));
      writeFileSync(join(dir, 'list.json'), JSON.stringify({ servers: [{ server_name: 'weather', tools: [mcp('forecast', ['city'])] }, { name: 'broken', tools: 'none' }] }));
      const { tools, report } = ingest([dir]);
      const of = (name: string) => tools.find((t) => t.name === name)!;
      expect(of('get_balance')).toMatchObject({ group: 'wallet', source: `${join(dir, 'array.json')}#/0/tools/1`, parameters: { required: ['account_id'] } });
      // Each server keeps its own copy of the helper (a variant), not one pooled copy.
      expect(of('think_2')).toMatchObject({ group: 'notes', variantOf: 'think' });
      expect(report.duplicates).toEqual([]);
      expect(of('get_node')).toMatchObject({ group: 'figma', source: `${join(dir, 'map.json')}#/servers/figma/tools/1` });
      expect(of('forecast')).toMatchObject({ group: 'weather', source: `${join(dir, 'list.json')}#/servers/0/tools/0` });
      expect(report.files.map((f) => [f.file.slice(dir.length + 1), f.format, f.tools])).toEqual([['array.json', 'anthropic servers', 4], ['list.json', 'mcp servers', 1], ['map.json', 'mcp servers', 2]]);
      expect(report.skipped).toContainEqual(expect.objectContaining({ file: join(dir, 'list.json'), pointer: '/servers/1', reason: expect.stringMatching(/^the server entry has no tool list/) }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('name the group of a server given on its own, as a file or as a JSON Lines line', () => {
    const dir = mkdtempSync(join(tmpdir(), 'envscale-servers-'));
    try {
      writeFileSync(join(dir, 'crm.json'), JSON.stringify({ name: 'crm', version: '1.0', tools: [mcp('get_contact', ['contact_id'])] }));
      writeFileSync(join(dir, 'more.jsonl'), `${JSON.stringify({ name: 'fetch', tools: [mcp('fetch', ['url'])] })}\n${JSON.stringify({ tools: [mcp('web_search', ['query'])] })}\n`);
      const { tools } = ingest([dir]);
      expect(tools.map((t) => [t.name, t.group, t.source.slice(dir.length + 1)])).toEqual([
        ['get_contact', 'crm', 'crm.json#/tools/0'],
        ['fetch', 'fetch', 'more.jsonl:1#/tools/0'],
        // A bare tools/list result names no server: no group.
        ['web_search', undefined, 'more.jsonl:2#/tools/0'],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("say that a client's server configuration is no tool list, and name the server-list shapes when nothing was read", () => {
    const dir = mkdtempSync(join(tmpdir(), 'envscale-servers-'));
    try {
      const config = join(dir, 'claude_desktop_config.json');
      writeFileSync(config, JSON.stringify({ mcpServers: { weather: { command: 'npx', args: ['weather-server'] } } }));
      expect(ingest([config]).report.unrecognized).toEqual([{ file: config, reason: expect.stringMatching(/^a configuration of MCP servers \(how to start them\), not their tools; save each server's tools\/list result/) }]);
      const r = spawnSync(process.execPath, [CLI, 'ingest', config, '-o', join(dir, 'corpus.json')], { encoding: 'utf8' });
      expect(r.status).toBe(1);
      expect(r.stderr).toMatch(/configuration of MCP servers.*ingest reads .*lists of servers with their tools \(`\[\{name, tools\}\]`, `\{servers: \{name: \{tools\}\}\}`, tools with `inputSchema` or `input_schema`\)/);
      expect(existsSync(join(dir, 'corpus.json'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('never take a tool for a server, even one with a `tools` parameter list', () => {
    // A tool record is never taken for a server: `parameters` or `inputSchema` makes it a tool.
    const dir = mkdtempSync(join(tmpdir(), 'envscale-servers-'));
    try {
      writeFileSync(join(dir, 'tools.json'), JSON.stringify([{ name: 'pick', description: 'Pick tools', parameters: { type: 'object', properties: { tools: { type: 'array' } } }, tools: [] }]));
      const { tools, report } = ingest([dir]);
      expect(tools.map((t) => t.name)).toEqual(['pick']);
      expect(report.files[0].format).toBe('functions');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('broken inputs', () => {
  it('stops at a file that is not JSON, naming the file', () => {
    expect(() => ingest([fx('broken/not-json.json')])).toThrow(UserError);
    expect(() => ingest([fx('broken/not-json.json')])).toThrow(/not-json\.json is not valid JSON/);
  });

  it('stops at a missing path', () => {
    expect(() => ingest([fx('nowhere.json')])).toThrow(/nowhere\.json does not exist/);
  });

  it('cuts a $ref loop, skips a dangling $ref and a malformed operation, with pointers', () => {
    const { tools, report } = ingest([fx('broken/ref-problems.openapi.json')]);
    expect(tools.map((t) => t.name)).toEqual(['createNode']);
    expect(report.notes).toContainEqual(expect.objectContaining({ pointer: '/paths/~1nodes/post', reason: expect.stringMatching(/recursive \$ref #\/components\/schemas\/(Node|Link)/) }));
    expect(report.skipped.map((s) => s.pointer).sort()).toEqual(['/paths/~1nodes/get', '/paths/~1nodes/patch']);
  });

  it('says that nothing was found when no file holds a tool (0-byte YAML, [], blank JSONL, only bad records), exits 1 and writes no corpus', () => {
    const dir = mkdtempSync(join(tmpdir(), 'envscale-empty-'));
    try {
      const files: Array<[string, string]> = [
        ['empty.yaml', ''],
        ['empty.json', '[]'],
        ['empty.jsonl', '\n\n'],
        ['bad.jsonl', '{"name": 3}\n'],
      ];
      for (const [name, text] of files) {
        writeFileSync(join(dir, name), text);
        expect(ingest([join(dir, name)]).tools).toHaveLength(0);
        const out = join(dir, `${name}.corpus.json`);
        const r = spawnSync(process.execPath, [CLI, 'ingest', join(dir, name), '-o', out], { encoding: 'utf8' });
        expect({ name, status: r.status }).toEqual({ name, status: 1 });
        expect(r.stderr).toMatch(/^envscale: No tools in .*, so nothing was written to /);
        expect(existsSync(out)).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('lists a file with no tool collection as unrecognized instead of dropping it silently', () => {
    const { tools, report } = ingest([fx('broken/not-tools.yaml'), fx('collections/openai-tools.json')]);
    expect(tools.length).toBe(3);
    expect(report.unrecognized).toEqual([{ file: fx('broken/not-tools.yaml'), reason: expect.stringMatching(/settings/) }]);
  });
});

describe('names', () => {
  it('sanitizes to the MCP pattern and cuts at 64 characters', () => {
    expect(sanitizeName('a.b c/d')).toBe('a_b_c_d');
    expect(sanitizeName('...')).toBe('tool');
    expect(sanitizeName('x'.repeat(80))).toHaveLength(64);
  });

  it('keeps exact duplicates once per document and suffixes differing ones deterministically', () => {
    const t = (name: string, description: string, source: string): ToolSpec => ({ name, description, parameters: { type: 'object', properties: {} }, source });
    const long = 'y'.repeat(70);
    const result = assignNames([t('get', 'A', 'f#/1'), t('get', 'A', 'f#/2'), t('get', 'B', 's3'), t('get_2', 'C', 's4'), t(long, 'D', 's5'), t(long, 'E', 's6')]);
    expect(result.tools.map((x) => x.name)).toEqual(['get', 'get_2', 'get_2_2', 'y'.repeat(64), `${'y'.repeat(62)}_2`]);
    expect(result.duplicates).toEqual([{ source: 'f#/2', duplicateOf: 'f#/1' }]);
    // A variant is a tool renamed because an earlier one had its name; `get_2` (C) was named so in its source.
    expect(result.tools.map((x) => x.variantOf)).toEqual([undefined, 'get', undefined, undefined, 'y'.repeat(64)]);
    // An exact copy from another document (another API's `calculate`) stays, as a variant.
    const copies = assignNames([t('calculate', 'A', 'airline.json#/0'), t('calculate', 'A', 'retail.json#/0')]);
    expect(copies.tools.map((x) => [x.name, x.variantOf])).toEqual([['calculate', undefined], ['calculate_2', 'calculate']]);
    expect(copies.duplicates).toEqual([]);
  });
});

describe('deep schemas', () => {
  it('cut past the depth limit into schemas that still validate, wherever the cut falls', () => {
    const nested = (levels: number): Record<string, unknown> =>
      levels === 0 ? { type: 'string' } : { type: 'object', description: `level ${levels}`, properties: { child: nested(levels - 1) } };
    for (const levels of [6, 7, 8, 9]) {
      const notes: string[] = [];
      const schema = inlineRefs({ type: 'object', properties: { root: nested(levels) } }, {}, (n) => notes.push(n)) as ToolSpec['parameters'];
      expect(notes).toContainEqual(expect.stringMatching(/deeper than \d+ levels was cut off/));
      expect(() => compileArguments(schema)).not.toThrow();
    }
  });

  it('cut a closed object with required fields whole, so some value still satisfies the cut schema', () => {
    const nested = (levels: number): Record<string, unknown> =>
      levels === 0
        ? { type: 'object', additionalProperties: false, required: ['id'], properties: { id: { type: 'string' } } }
        : { type: 'object', additionalProperties: false, required: ['child'], properties: { child: nested(levels - 1) } };
    for (const levels of [4, 5, 6, 7]) {
      const schema = inlineRefs({ type: 'object', properties: { root: nested(levels) } }, {}, () => undefined) as ToolSpec['parameters'];
      // Walk down to the end: every object there either keeps its properties or keeps no `required` at all.
      let node = (schema.properties as Record<string, Record<string, unknown>>).root;
      while (node.properties && (node.properties as Record<string, unknown>).child) node = (node.properties as Record<string, Record<string, unknown>>).child;
      const props = (node.properties ?? {}) as Record<string, unknown>;
      for (const key of (node.required ?? []) as string[]) expect(props, `levels ${levels}`).toHaveProperty(key);
      expect(node.type).toBe('object');
    }
  });
});

describe('a oneOf cut short', () => {
  it('becomes anyOf when the cut reaches into its alternatives (they may no longer tell values apart), and stays oneOf otherwise', () => {
    const nested = (levels: number, leaf: Record<string, unknown>): Record<string, unknown> => (levels === 0 ? leaf : { type: 'object', properties: { child: nested(levels - 1, leaf) } });
    const choice = { oneOf: [{ $ref: '#/defs/Track' }, { $ref: '#/defs/Episode' }] };
    const root = {
      defs: {
        Track: { type: 'object', properties: { type: { enum: ['track'] }, album: nested(12, { type: 'string' }) } },
        Episode: { type: 'object', properties: { type: { enum: ['episode'] }, show: nested(12, { type: 'string' }) } },
      },
    };
    const deep = inlineRefs(choice, root, () => undefined) as Record<string, unknown>;
    expect(deep.oneOf).toBeUndefined();
    expect(deep.anyOf).toHaveLength(2);
    const shallow = inlineRefs(choice, { defs: { Track: { type: 'object' }, Episode: { type: 'object' } } }, () => undefined) as Record<string, unknown>;
    expect(shallow.oneOf).toHaveLength(2);
  });
});

describe('function schemas with definitions', () => {
  it('inline their own $refs, so every reader sees the whole shape, and skip a dangling one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'envscale-defs-'));
    const file = join(dir, 'tools.json');
    const passenger = { type: 'object', properties: { first_name: { type: 'string' } }, required: ['first_name'] };
    writeFileSync(file, JSON.stringify([
      { name: 'update_passengers', description: 'Update passengers.', parameters: { type: 'object', $defs: { Passenger: passenger }, properties: { passengers: { type: 'array', items: { $ref: '#/$defs/Passenger' } } } } },
      { name: 'broken', description: 'Refers to nothing.', parameters: { type: 'object', properties: { x: { $ref: '#/$defs/Nothing' } } } },
    ]));
    const { tools, report } = ingest([file]);
    expect(tools.map((t) => t.name)).toEqual(['update_passengers']);
    expect(tools[0].parameters).toEqual({ type: 'object', properties: { passengers: { type: 'array', items: passenger } } });
    expect(report.skipped).toContainEqual(expect.objectContaining({ pointer: '/1/parameters', reason: expect.stringMatching(/broken.*#\/\$defs\/Nothing/) }));
    rmSync(dir, { recursive: true, force: true });
  });
});

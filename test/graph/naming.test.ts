import { describe, expect, it } from 'vitest';
import { domainNames, titleWords } from '../../src/graph/naming.js';
import { fileTitle, withFileTitles } from '../../src/graph/titles.js';
import type { Source } from '../../src/graph/units.js';
import { PlannedDomain } from '../../src/spec/plan.js';

type T = { name: string; group?: string; tags?: string[] };

describe('domain names', () => {
  it('read a source title as a person would say it', () => {
    expect(titleWords('Petstore Web API v2 (beta)')).toEqual(['petstore']);
    expect(titleWords('Acme Payments &amp; Refunds API Documentation')).toEqual(['acme', 'payments', 'refunds']);
    expect(titleWords('Harbor.io - Swagger UI Tide API')).toEqual(['harbor', 'tide']);
    expect(titleWords('WarehouseRobotAPI')).toEqual(['warehouse', 'robot']);
    expect(titleWords('MemoryAPI_kv')).toEqual(['memory', 'kv']);
    expect(titleWords('Ledger 3.2.1')).toEqual(['ledger']);
  });

  it('come from the source of most of the tools; a source cut in several adds each part\'s tag or noun', () => {
    const tools: T[] = [
      { name: 'getPet', group: 'Petstore API', tags: ['pets'] },
      { name: 'listPets', group: 'Petstore API', tags: ['pets'] },
      { name: 'placeOrder', group: 'Petstore API', tags: ['store orders'] },
      { name: 'getOrder', group: 'Petstore API', tags: ['store orders'] },
      { name: 'move_robot', group: 'WarehouseRobotAPI' },
      { name: 'charge_robot', group: 'WarehouseRobotAPI' },
      { name: 'get_shelf', group: 'ShelfAPI' },
      { name: 'list_shelf_bins', group: 'ShelfAPI' },
      { name: 'find_shelf_bin', group: 'ShelfAPI' },
    ];
    const names = domainNames([[0, 1], [2, 3], [4, 5], [6, 7], [8]], tools, [[], [], [], [], []]);
    expect(names).toEqual(['petstore_pets', 'petstore_store_orders', 'warehouse_robot', 'shelf_bin', 'shelf_bin-2']);
  });

  it('without a source title, come from the nouns the tools are about, never a technical token', () => {
    const tools: T[] = [
      { name: 'get_customer_by_uuid' },
      { name: 'list_customer_orders' },
      { name: 'create_order_raw' },
      { name: 'hash_order_ext' },
      { name: 'get_invoice_json' },
    ];
    const terms = [['uuid', 'hash', 'ext', 'raw', 'customer'], ['json', 'invoice']];
    const names = domainNames([[0, 1, 2, 3], [4]], tools, terms);
    expect(names).toEqual(['order_customer', 'invoice']);
    for (const n of names) for (const bad of ['uuid', 'hash', 'ext', 'raw', 'json']) expect(n.split('_')).not.toContain(bad);
  });

  it('are unique, valid folder names and deterministic', () => {
    const tools: T[] = Array.from({ length: 12 }, (_, i) => ({ name: `get_thing_${i}`, group: i < 6 ? 'Same API' : 'Ünïcode — Title With A Very Long Name That Goes On And On Forever' }));
    const domains = [[0, 1], [2, 3], [4, 5], [6, 7, 8], [9, 10, 11]];
    const names = domainNames(domains, tools, domains.map(() => ['thing']));
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(PlannedDomain.shape.name.safeParse(n).success).toBe(true);
    expect(domainNames(domains, tools, domains.map(() => ['thing']))).toEqual(names);
  });
});

describe('domains of sources that name no server', () => {
  it("take the name of the source's file, unless the file is named for its kind of list only", () => {
    expect(fileTitle('/pool/one-server/currency-rates.json')).toBe('currency-rates');
    expect(fileTitle('owner/repo@abc123:servers/helpdesk.mcp.json')).toBe('helpdesk');
    for (const source of ['/pool/tools.json', '/pool/openai-functions.json', '/pool/servers.json#figma', '/pool/more.jsonl:3', 'repo@c:envs/shop/tools/']) expect(fileTitle(source), source).toBeUndefined();
    const tools = [{ name: 'convert_currency' }, { name: 'list_exchange_rates' }, { name: 'get_forecast', group: 'Open Forecast' }, { name: 'get_alerts', group: 'Open Forecast' }, { name: 'echo' }];
    const sources: Source[] = [
      { name: '/pool/currency-rates.json', members: [0, 1], kind: 'listed', treatment: 'whole' },
      { name: '/pool/forecast.json', members: [2, 3], kind: 'listed', treatment: 'whole' },
    ];
    const named = withFileTitles(tools, sources);
    expect(named.map((t) => t.group)).toEqual(['currency-rates', 'currency-rates', 'Open Forecast', 'Open Forecast', undefined]);
    expect(domainNames([[0, 1], [2, 3], [4]], named, [[], [], ['echo']])).toEqual(['currency_rates', 'open_forecast', 'echo']);
  });
});

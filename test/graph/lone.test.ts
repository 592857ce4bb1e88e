import { describe, expect, it } from 'vitest';
import { adjacency } from '../../src/graph/communities.js';
import { centroidOf, cosine } from '../../src/graph/centroid.js';
import { DEFAULT_WEIGHTS, toolTerms } from '../../src/graph/features.js';
import { separateLoneTools } from '../../src/graph/lone.js';
import type { Edge } from '../../src/graph/neighbours.js';
import { tfidf } from '../../src/graph/vectors.js';
import type { ToolSpec } from '../../src/spec/tool.js';

const tool = (name: string, description: string, params: string[], source: string): ToolSpec => ({
  name,
  description,
  parameters: { type: 'object', properties: Object.fromEntries(params.map((p) => [p, { type: 'string' }])) },
  source,
});

// Two servers, a weather one and a currency one, and one-tool servers around them.
const tools = [
  tool('get_current_weather', 'Current weather for a city: temperature and wind', ['city'], 'weather.json'), // 0
  tool('get_forecast', 'Weather forecast for a city, day by day', ['city', 'days'], 'weather.json'), // 1
  tool('get_weather_alerts', 'Weather alerts in force for a city', ['city'], 'weather.json'), // 2
  tool('convert_currency', 'Convert an amount from one currency to another at the current rate', ['amount', 'from_currency', 'to_currency'], 'currency.json'), // 3
  tool('list_exchange_rates', 'Exchange rates of a base currency', ['base_currency'], 'currency.json'), // 4
  tool('get_rate', 'Exchange rate between two currencies', ['from_currency', 'to_currency'], 'currency.json'), // 5
  tool('weather_by_city', 'Current weather and forecast for a city', ['city'], 'quick-weather.json'), // 6
  tool('convert_time', 'Convert a time from one time zone to another', ['time', 'from_zone', 'to_zone'], 'tz.json'), // 7
  tool('get_current_time', 'Current time in a time zone', ['zone'], 'clock.json'), // 8
  tool('generate_qr_code', 'Generate a QR code image for a text', ['text', 'size'], 'qr.json'), // 9
];
const { vectors } = tfidf(tools.map((t) => toolTerms(t, DEFAULT_WEIGHTS)));
const sim = (i: number, j: number) => cosine(centroidOf([i], vectors), centroidOf([j], vectors));
const edges: Edge[] = [];
for (let a = 0; a < tools.length; a++) for (let b = a + 1; b < tools.length; b++) if (sim(a, b) > 0.05) edges.push({ a, b, weight: sim(a, b) });
const adj = adjacency(tools.length, edges);
const loose = (i: number) => i >= 6;
const settings = { maxSize: 40, threshold: 0.2, resolution: 1, seed: 42 };

describe('lone tools in domains that hold a source', () => {
  it('stay when they fit the domain as well as its own tools do, and leave otherwise', () => {
    // What the steps before might do: the time tools pulled to currency by "convert"/"current", the QR tool to weather.
    const r = separateLoneTools([[0, 1, 2, 6, 9], [3, 4, 5, 7, 8]], loose, adj, vectors, settings);
    expect(sim(7, 8)).toBeGreaterThanOrEqual(0.2);
    expect(r.domains).toEqual([[0, 1, 2, 6], [3, 4, 5], [7, 8]]);
    expect(r.apart).toBe(3);
    // The QR tool has no neighbour above the edge threshold among the tools that left: isolated.
    expect(r.isolated).toEqual([9]);
  });

  it('join a domain of lone tools they are connected to rather than starting one', () => {
    const r = separateLoneTools([[0, 1, 2, 6], [3, 4, 5, 7], [8, 9]], loose, adj, vectors, settings);
    expect(r.domains).toEqual([[0, 1, 2, 6], [3, 4, 5], [7, 8, 9]]);
    expect(r).toMatchObject({ apart: 1, isolated: [] });
  });

  it('stay in a domain with one sourced tool (nothing to judge the fit by), and nothing moves without lone tools', () => {
    const r = separateLoneTools([[3, 7, 8]], (i) => i !== 3, adj, vectors, settings);
    expect(r).toEqual({ domains: [[3, 7, 8]], apart: 0, isolated: [] });
    const none = separateLoneTools([[0, 1, 2], [3, 4, 5]], () => false, adj, vectors, settings);
    expect(none.domains).toEqual([[0, 1, 2], [3, 4, 5]]);
  });
});

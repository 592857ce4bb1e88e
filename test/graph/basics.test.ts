import { describe, expect, it } from 'vitest';
import { adjacency, modularity, splitOversize } from '../../src/graph/communities.js';
import { mergeSimilarCommunities } from '../../src/graph/merge.js';
import { adjustedRandIndex, purity } from '../../src/graph/metrics.js';
import { reachableDomainAri } from '../../src/graph/evaluate.js';
import { pathPrefixes } from '../../src/graph/features.js';
import { allTopNeighbours, exactSpace, keepNearest, sparseSpace, topNeighbours } from '../../src/graph/neighbours.js';
import { refineCommunities, refineDomains, refineGroups } from '../../src/graph/refine.js';
import { seededRng } from '../../src/graph/rng.js';
import { attachSmallParts } from '../../src/graph/singletons.js';
import { setAsideVariants } from '../../src/graph/variants.js';
import { contentWords, splitIdentifier } from '../../src/graph/tokens.js';
import { tfidf, type SparseVector } from '../../src/graph/vectors.js';
import type { ToolSpec } from '../../src/spec/tool.js';

describe('identifier splitting', () => {
  it('splits camelCase, acronyms, snake_case, kebab-case, dots and digits', () => {
    expect(splitIdentifier('getUserByID')).toEqual(['get', 'user', 'by', 'id']);
    expect(splitIdentifier('HTTPServer_port-v2.name')).toEqual(['http', 'server', 'port', 'v', '2', 'name']);
    expect(splitIdentifier('list_S3Buckets')).toEqual(['list', 's', '3', 'buckets']);
  });

  it('drops stopwords and numbers and stems plurals in content words', () => {
    expect(contentWords('List the files of a directory, 20 entries')).toEqual(['list', 'file', 'directory', 'entry']);
    expect(contentWords('species series news status alias')).toEqual(['species', 'series', 'news', 'status', 'alias']);
  });
});

describe('label agreement', () => {
  it('computes the adjusted Rand index', () => {
    expect(adjustedRandIndex(['a', 'a', 'b', 'b'], ['x', 'x', 'y', 'y'])).toBe(1);
    expect(adjustedRandIndex(['a', 'a', 'b', 'b'], ['x', 'x', 'y', 'z'])).toBeCloseTo(0.5714285714, 9);
    expect(adjustedRandIndex(['a', 'a', 'b', 'b'], ['x', 'y', 'x', 'y'])).toBeCloseTo(-0.5, 9);
  });

  it('computes purity', () => {
    expect(purity(['a', 'a', 'b', 'b', 'b'], ['x', 'x', 'x', 'y', 'y'])).toBeCloseTo(0.8, 9);
  });

  it('bounds domain-level ARI by labels cut to the maximum domain size', () => {
    const tools = (label: string, n: number): ToolSpec[] =>
      Array.from({ length: n }, (_, i) => ({ name: `${label}${i}`, description: '', parameters: { type: 'object' as const }, source: 't', group: label }));
    // Labels that fit a domain can be recovered exactly.
    expect(reachableDomainAri([...tools('a', 3), ...tools('b', 3)], 3)).toBe(1);
    // A 4-tool label cut into a full part of 3 and a rest: the same as predicting [a a a a' b b] for [a a a a b b].
    expect(reachableDomainAri([...tools('a', 4), ...tools('b', 2)], 3)).toBeCloseTo(adjustedRandIndex(['a', 'a', 'a', 'a', 'b', 'b'], ['x', 'x', 'x', 'y', 'z', 'z']), 12);
    expect(reachableDomainAri([...tools('a', 4), ...tools('b', 2)], 3)).toBeLessThan(1);
  });
});

describe('oversize split', () => {
  it('cuts an edgeless community into chunks of at most maxSize', () => {
    const items = Array.from({ length: 25 }, (_, i) => i);
    const parts = splitOversize(items, adjacency(25, []), 10, 1, 7);
    expect(parts.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(parts.flat().sort((a, b) => a - b)).toEqual(items);
  });

  it('splits two cliques joined by one edge along the weak edge', () => {
    const edges = [];
    for (const base of [0, 6]) for (let a = base; a < base + 6; a++) for (let b = a + 1; b < base + 6; b++) edges.push({ a, b, weight: 0.9 });
    edges.push({ a: 5, b: 6, weight: 0.1 });
    const parts = splitOversize(Array.from({ length: 12 }, (_, i) => i), adjacency(12, edges), 8, 1, 7);
    expect(parts).toEqual([[0, 1, 2, 3, 4, 5], [6, 7, 8, 9, 10, 11]]);
  });
});

describe('merging communities by shared vocabulary', () => {
  // Unit vectors over terms 0-3: items 0-3 are two halves of one API (both lean on term 0); items 4-5 are another API.
  const unit = (w: number[]): SparseVector => {
    const norm = Math.hypot(...w);
    const terms = w.flatMap((x, t) => (x > 0 ? [t] : []));
    return { terms: Int32Array.from(terms), weights: Float32Array.from(terms, (t) => w[t] / norm) };
  };
  const vectors = [unit([1, 1, 0, 0]), unit([1, 1, 0, 0]), unit([1, 0, 1, 0]), unit([1, 0, 1, 0]), unit([0, 0, 0, 1]), unit([0, 0.2, 0, 1])];
  const adj = adjacency(6, [{ a: 0, b: 1, weight: 1 }, { a: 2, b: 3, weight: 1 }, { a: 1, b: 2, weight: 0.1 }, { a: 3, b: 4, weight: 0.1 }, { a: 4, b: 5, weight: 1 }]);
  const communities = [[0, 1], [2, 3], [4, 5]];

  it('merges adjacent communities whose centroids are similar and keeps dissimilar ones apart', () => {
    expect(mergeSimilarCommunities(communities, adj, vectors, 0.35)).toEqual([[0, 1, 2, 3], [4, 5]]);
    expect(mergeSimilarCommunities(communities, adj, vectors, 0.9)).toEqual(communities);
  });

  it('never merges communities without an edge between them', () => {
    const apart = adjacency(6, [{ a: 0, b: 1, weight: 1 }, { a: 2, b: 3, weight: 1 }, { a: 4, b: 5, weight: 1 }]);
    expect(mergeSimilarCommunities(communities, apart, vectors, 0.35)).toEqual(communities);
  });

  it('computes modularity at a resolution', () => {
    expect(modularity([[0, 1, 2, 3, 4, 5]], adj, 1)).toBeCloseTo(0, 9);
    expect(modularity(communities, adj, 1)).toBeGreaterThan(modularity([[0, 1, 2, 3], [4, 5]], adj, 1));
  });
});

describe('moving single tools to the domain whose centroid fits them', () => {
  const unit = (w: number[]): SparseVector => {
    const norm = Math.hypot(...w);
    const terms = w.flatMap((x, t) => (x > 0 ? [t] : []));
    return { terms: Int32Array.from(terms), weights: Float32Array.from(terms, (t) => w[t] / norm) };
  };
  // Domain 0 (items 0-3) speaks terms 0-1, domain 1 (items 4-6) terms 2-3; item 3 leans on terms 2-3 and has an edge to 4.
  const vectors = [unit([1, 1, 0, 0]), unit([1, 1, 0, 0]), unit([1, 1, 0, 0]), unit([0, 0.5, 1, 0.5]), unit([0, 0, 1, 1]), unit([0, 0, 1, 1]), unit([0, 0, 1, 1])];
  const inside = [{ a: 0, b: 1, weight: 1 }, { a: 1, b: 2, weight: 1 }, { a: 2, b: 3, weight: 0.5 }, { a: 4, b: 5, weight: 1 }, { a: 5, b: 6, weight: 1 }];
  const adj = adjacency(7, [...inside, { a: 3, b: 4, weight: 0.3 }]);
  const domains = [[0, 1, 2, 3], [4, 5, 6]];
  const twoCommunities = [0, 0, 0, 0, 1, 1, 1];
  const settings = { margin: 0.05, rounds: 2, minSize: 3, maxSize: 10 };

  it('moves a tool to an adjacent domain of another community whose centroid beats its own by the margin', () => {
    const r = refineDomains(domains, adj, vectors, twoCommunities, [0, 1], settings);
    expect(r.domains).toEqual([[0, 1, 2], [3, 4, 5, 6]]);
    expect(r.moved).toBe(1);
  });

  it('leaves tools without an edge into the domain, or a domain of the same community, alone', () => {
    expect(refineDomains(domains, adjacency(7, inside), vectors, twoCommunities, [0, 1], settings).domains).toEqual(domains);
    expect(refineDomains(domains, adj, vectors, [0, 0, 0, 0, 0, 0, 0], [0, 0], settings).domains).toEqual(domains);
  });

  it('never takes a domain below minSize or beyond maxSize', () => {
    expect(refineDomains(domains, adj, vectors, twoCommunities, [0, 1], { ...settings, minSize: 4 }).domains).toEqual(domains);
    expect(refineDomains(domains, adj, vectors, twoCommunities, [0, 1], { ...settings, maxSize: 3 }).domains).toEqual(domains);
  });

  it('at community level, moves a tool to any community whose centroid fits it better, with or without an edge into it', () => {
    const s = { ...settings, minSize: 1 };
    expect(refineCommunities(domains, vectors, s)).toEqual({ communities: [[0, 1, 2], [3, 4, 5, 6]], moved: 1 });
    expect(refineCommunities(domains, vectors, { ...s, margin: 0.6 }).communities).toEqual(domains);
    // Item 3 fits communities 1 and 2 equally: the lower id wins.
    const three = [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]];
    const more = [...vectors, vectors[4], vectors[5], vectors[6]];
    expect(refineCommunities(three, more, s).communities).toEqual([[0, 1, 2], [3, 4, 5, 6], [7, 8, 9]]);
  });

  it('scores all centroids through the inverted index as a direct comparison with every centroid would', () => {
    // Reference: every tool against every group's centroid, recomputed from the members each time.
    const direct = (groups: number[][], vecs: SparseVector[], margin: number, rounds: number) => {
      const groupOf = new Map<number, number>();
      groups.forEach((g, gi) => g.forEach((i) => groupOf.set(i, gi)));
      const centroid = (gi: number, without: number) => {
        const sum = new Map<number, number>();
        for (const [i, g] of groupOf) {
          if (g !== gi || i === without) continue;
          vecs[i].terms.forEach((t, k) => sum.set(t, (sum.get(t) ?? 0) + vecs[i].weights[k]));
        }
        return sum;
      };
      const cos = (i: number, sum: Map<number, number>) => {
        let dot = 0;
        let n = 0;
        for (const w of sum.values()) n += w * w;
        vecs[i].terms.forEach((t, k) => (dot += vecs[i].weights[k] * (sum.get(t) ?? 0)));
        return n > 0 ? dot / Math.sqrt(n) : 0;
      };
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < vecs.length; i++) {
          const c = groupOf.get(i)!;
          if ([...groupOf.values()].filter((g) => g === c).length <= 1) continue;
          let best = -1;
          let bestSim = cos(i, centroid(c, i)) + margin;
          groups.forEach((_, g) => {
            const sim = g === c ? -Infinity : cos(i, centroid(g, -1));
            if (sim > bestSim + 1e-12) [best, bestSim] = [g, sim];
          });
          if (best >= 0) groupOf.set(i, best);
        }
      }
      return groups.map((_, gi) => [...groupOf].filter(([, g]) => g === gi).map(([i]) => i).sort((a, b) => a - b)).filter((g) => g.length > 0).sort((a, b) => a[0] - b[0]);
    };
    const rng = seededRng(3);
    const vecs = Array.from({ length: 60 }, () => unit(Array.from({ length: 12 }, () => (rng() < 0.3 ? rng() : 0)).map((w, t, all) => (all.every((x) => x === 0) && t === 0 ? 1 : w))));
    const groups = Array.from({ length: 6 }, (_, g) => Array.from({ length: 10 }, (_, k) => g * 10 + k));
    for (const margin of [0, 0.05, 0.1]) {
      const r = refineGroups(groups, vecs, { reach: 'any' }, { margin, rounds: 2, minSize: 1, maxSize: Number.MAX_SAFE_INTEGER });
      expect(r.moved).toBeGreaterThan(0);
      expect(r.groups).toEqual(direct(groups, vecs, margin, 2));
    }
  });
});

describe('variants of one name', () => {
  const tool = (name: string, params: string[], variantOf?: string): ToolSpec => ({
    name,
    description: '',
    parameters: { type: 'object', properties: Object.fromEntries(params.map((p) => [p, { type: 'string' }])) },
    source: 's',
    ...(variantOf ? { variantOf } : {}),
  });
  const tools = [tool('search', ['q']), tool('search_2', ['q', 'limit'], 'search'), tool('search_3', ['text', 'page'], 'search'), tool('book', ['id']), tool('search_4', ['q'], 'search')];

  it('keeps the variant with the most parameters per group (ties by input order) and sets the others aside with it', () => {
    const { groups, setAside } = setAsideVariants([[0, 1, 2, 3], [4]], tools);
    expect(groups).toEqual([[1, 3], [4]]);
    expect(setAside).toEqual([{ tool: 0, of: 1 }, { tool: 2, of: 1 }]);
  });

  it('leaves groups without shared names alone', () => {
    expect(setAsideVariants([[0, 3], [1], [2]], tools)).toEqual({ groups: [[0, 3], [1], [2]], setAside: [] });
  });
});

describe('singleton rule', () => {
  // Items 0-3 and 4-7 are two domains; 8 has an edge to 5; 9 is similar (not joined) to 1; 10 and 11 are alike but far from all.
  const sims: Record<string, number> = { '1,9': 0.15, '10,11': 0.05 };
  const space = exactSpace(12, (i, j) => sims[`${Math.min(i, j)},${Math.max(i, j)}`] ?? 0);
  const adj = adjacency(12, [{ a: 5, b: 8, weight: 0.4 }]);
  const parts = [[0, 1, 2, 3], [4, 5, 6, 7], [8], [9], [10, 11]];

  it('attaches by edge weight, then by similarity, keeps leftovers together, lists lone ones as isolated', () => {
    const r = attachSmallParts(parts, adj, space, { minSize: 3, maxSize: 10, attachThreshold: 0.1 });
    expect(r.domains).toEqual([[0, 1, 2, 3, 9], [4, 5, 6, 7, 8], [10, 11]]);
    expect(r.attached).toBe(2);
    expect(r.isolated).toEqual([]);
  });

  it('never fills a domain beyond maxSize', () => {
    const r = attachSmallParts(parts, adj, space, { minSize: 3, maxSize: 4, attachThreshold: 0.1 });
    expect(r.domains).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [10, 11]]);
    expect(r.isolated).toEqual([8, 9]);
  });
});

describe('features and edges for the known failure modes', () => {
  it('turns an OpenAPI path into its leading literal prefixes, skipping template segments', () => {
    expect(pathPrefixes('/calendars/{calendarId}/acl/{ruleId}')).toEqual(['/calendars', '/calendars/acl']);
    expect(pathPrefixes('/api/2/issue/{issueIdOrKey}/comment')).toEqual(['/api', '/api/2']);
    expect(pathPrefixes('/current/airquality?city={city}')).toEqual(['/current', '/current/airquality']);
    expect(pathPrefixes('/{format}')).toEqual([]);
  });

  it('flattens idf with the default power and keeps terms found in every tool at zero', () => {
    const bags = [new Map([['id', 1], ['file', 1]]), new Map([['id', 1], ['mail', 1]]), new Map([['id', 1], ['mail', 1]])];
    const plain = tfidf(bags, 1);
    const flat = tfidf(bags);
    expect(plain.idf[0]).toBe(0);
    expect(flat.idf[0]).toBe(0);
    expect(flat.idf[1]).toBeCloseTo(Math.sqrt(Math.log(3)), 9);
  });

  it('gives a tool without neighbours above the threshold an edge to its nearest tool above the floor', () => {
    const sims = [[1, 0.15, 0.05], [0.15, 1, 0.5], [0.05, 0.5, 1]];
    const space = exactSpace(3, (i, j) => sims[i][j]);
    const neighbours = topNeighbours(space, 10, 0.2);
    expect(neighbours.get(0)).toEqual([]);
    keepNearest(space, neighbours, 0.1);
    expect(neighbours.get(0)).toEqual([{ j: 1, sim: 0.15 }]);
    expect(neighbours.get(1)).toEqual([{ j: 2, sim: 0.5 }]);
  });

  it("finds every item's neighbours walking each pair of the inverted index once, as item-by-item search does", () => {
    const rng = seededRng(5);
    // 400 sparse vectors over 60 terms, some of them frequent enough to be left out of the walk (maxDf 100).
    const vecs: SparseVector[] = Array.from({ length: 400 }, () => {
      const terms = Array.from({ length: 60 }, (_, t) => t).filter((t) => rng() < (t < 3 ? 0.4 : 0.08));
      const raw = terms.map(() => rng() + 0.1);
      const norm = Math.hypot(...raw) || 1;
      return { terms: Int32Array.from(terms), weights: Float32Array.from(raw, (w) => w / norm) };
    });
    const space = sparseSpace(vecs, 0.2);
    const progress: number[] = [];
    const once = allTopNeighbours(space, 5, 0.2, (done) => progress.push(done), 100);
    const byItem = topNeighbours(space, 5, 0.2);
    expect([...once.entries()]).toEqual([...byItem.entries()]);
    expect([...byItem.values()].filter((l) => l.length === 5).length).toBeGreaterThan(100);
    expect(progress).toEqual([100, 200, 300, 400]);
    // A space without candidatesAfter is searched item by item, with the same lists.
    const { candidatesAfter: _, ...plain } = space;
    expect([...allTopNeighbours(plain, 5, 0.2).entries()]).toEqual([...byItem.entries()]);
  });
});

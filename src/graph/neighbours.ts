import { seededRng } from './rng.js';
import { denseDot, sparseDot, type SparseVector } from './vectors.js';

/** A set of items with a similarity and a way to propose candidates, so search never compares all pairs. */
export interface SimilaritySpace {
  size: number;
  /** Call `visit` with items that may be similar to `i` (possibly `i` itself and repeats). */
  candidates(i: number, visit: (j: number) => void): void;
  sim(i: number, j: number): number;
}

export interface Neighbour {
  j: number;
  sim: number;
}

export interface Edge {
  a: number;
  b: number;
  weight: number;
}

/**
 * Sparse vectors with an inverted index over each vector's `indexTerms` heaviest terms. A query
 * walks the postings of all its terms, so a pair is proposed when a term of one is among the
 * heaviest of the other: pairs with high cosine share heavy terms, and terms that are light
 * everywhere (generic words) never make long posting lists.
 */
export function sparseSpace(vectors: SparseVector[], indexTerms = 12): SimilaritySpace {
  const postings = new Map<number, number[]>();
  vectors.forEach((v, i) => {
    const order = Array.from(v.weights.keys()).sort((x, y) => v.weights[y] - v.weights[x] || v.terms[x] - v.terms[y]);
    for (const k of order.slice(0, indexTerms)) {
      const t = v.terms[k];
      let list = postings.get(t);
      if (!list) postings.set(t, (list = []));
      list.push(i);
    }
  });
  return {
    size: vectors.length,
    candidates(i, visit) {
      for (const t of vectors[i].terms) {
        const list = postings.get(t);
        if (list) for (const j of list) visit(j);
      }
    },
    sim: (i, j) => sparseDot(vectors[i], vectors[j]),
  };
}

/** Every pair: only for measuring the recall of the approximate spaces on samples. */
export function exactSpace(size: number, sim: (i: number, j: number) => number): SimilaritySpace {
  return {
    size,
    candidates(_i, visit) {
      for (let j = 0; j < size; j++) visit(j);
    },
    sim,
  };
}

/**
 * Unit dense vectors (embeddings) with random-hyperplane LSH: `bands` hash tables of `bits`
 * hyperplanes each; items sharing a bucket in any band are candidates. Seeded, so repeatable.
 */
export function denseSpace(vectors: Float32Array[], seed: number, bands = 16, bits = 8): SimilaritySpace {
  const dim = vectors[0]?.length ?? 0;
  const rng = seededRng(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
  const tables: Array<Map<number, number[]>> = [];
  const keys: Int32Array[] = [];
  for (let b = 0; b < bands; b++) {
    const planes = Array.from({ length: bits }, () => Float32Array.from({ length: dim }, gaussian));
    const table = new Map<number, number[]>();
    const bandKeys = new Int32Array(vectors.length);
    vectors.forEach((v, i) => {
      let key = 0;
      for (let p = 0; p < bits; p++) if (denseDot(planes[p], v) >= 0) key |= 1 << p;
      bandKeys[i] = key;
      let list = table.get(key);
      if (!list) table.set(key, (list = []));
      list.push(i);
    });
    tables.push(table);
    keys.push(bandKeys);
  }
  return {
    size: vectors.length,
    candidates(i, visit) {
      for (let b = 0; b < bands; b++) for (const j of tables[b].get(keys[b][i])!) visit(j);
    },
    sim: (i, j) => denseDot(vectors[i], vectors[j]),
  };
}

/**
 * The `k` most similar items of each query with similarity at least `threshold` (ties broken by
 * index, so results are deterministic). `accept` limits which items may be neighbours.
 */
export function topNeighbours(
  space: SimilaritySpace,
  k: number,
  threshold: number,
  queries: Iterable<number> = Array.from({ length: space.size }, (_, i) => i),
  accept: (j: number) => boolean = () => true,
): Map<number, Neighbour[]> {
  const stamp = new Int32Array(space.size).fill(-1);
  const result = new Map<number, Neighbour[]>();
  for (const i of queries) {
    const found: Neighbour[] = [];
    stamp[i] = i;
    space.candidates(i, (j) => {
      if (stamp[j] === i) return;
      stamp[j] = i;
      if (!accept(j)) return;
      const sim = space.sim(i, j);
      if (sim >= threshold) found.push({ j, sim });
    });
    found.sort((x, y) => y.sim - x.sim || x.j - y.j);
    result.set(i, found.slice(0, k));
  }
  return result;
}

/** Undirected edges: a pair is joined when either side has the other among its top neighbours. */
export function neighbourEdges(neighbours: Map<number, Neighbour[]>): Edge[] {
  const edges = new Map<string, Edge>();
  for (const [i, list] of neighbours) {
    for (const { j, sim } of list) {
      const a = Math.min(i, j);
      const b = Math.max(i, j);
      edges.set(`${a},${b}`, { a, b, weight: sim });
    }
  }
  return [...edges.values()].sort((x, y) => x.a - y.a || x.b - y.b);
}

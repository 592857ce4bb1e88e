import { seededRng } from './rng.js';
import { denseDot, sparseDot, type SparseVector } from './vectors.js';

/** A set of items with a similarity and a way to propose candidates, so search never compares all pairs. */
export interface SimilaritySpace {
  size: number;
  /**
   * Call `visit` with items that may be similar to `i` (possibly `i` itself and repeats), with
   * their similarity when finding them already gave it (then `sim` is not called for them).
   */
  candidates(i: number, visit: (j: number, sim?: number) => void): void;
  /**
   * The candidates of `i` after it (j > i), each once, when a pair is a candidate from either end
   * with the same similarity: a search over all items then walks each pair once.
   */
  candidatesAfter?(i: number, visit: (j: number, sim: number) => void): void;
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

/** Options of the inverted index: which terms are walked and which candidates are scored exactly. */
export interface SparseIndexOptions {
  /** Terms in more than this share of the tools (at least 100 tools) are not walked: their postings are long and their weight small. */
  maxDfShare: number;
  /** A candidate is scored exactly when the walked terms already give it this share of the threshold. */
  minPartialShare: number;
}

// minPartialShare 0.4: with the flatter idf more pairs reach the threshold; 0.3 scored many more
// candidates, 0.4 keeps top-k recall at 0.97 (bench:partition), and 0.5 lost edges that held the
// pooled OpenAPI specs together.
export const DEFAULT_INDEX: SparseIndexOptions = { maxDfShare: 0.05, minPartialShare: 0.4 };

/**
 * Sparse vectors with an inverted index (term -> tools and weights). A query accumulates partial
 * dot products over the postings of its terms, skipping terms found in too many tools, and only
 * candidates whose partial score is already a good share of `threshold` get an exact cosine.
 * Pairs above the threshold share enough weight in specific terms, so few are missed (the
 * benchmark measures how few against exact all-pairs search).
 */
export function sparseSpace(vectors: SparseVector[], threshold: number, options: SparseIndexOptions = DEFAULT_INDEX): SimilaritySpace {
  const n = vectors.length;
  let terms = 0;
  for (const v of vectors) for (const t of v.terms) terms = Math.max(terms, t + 1);
  // Postings in compressed rows: offsets per term, then tool ids and weights.
  const offsets = new Int32Array(terms + 1);
  for (const v of vectors) for (const t of v.terms) offsets[t + 1]++;
  for (let t = 0; t < terms; t++) offsets[t + 1] += offsets[t];
  const ids = new Int32Array(offsets[terms]);
  const weights = new Float32Array(offsets[terms]);
  const fill = offsets.slice(0, terms);
  vectors.forEach((v, i) => {
    for (let k = 0; k < v.terms.length; k++) {
      const at = fill[v.terms[k]]++;
      ids[at] = i;
      weights[at] = v.weights[k];
    }
  });
  const maxDf = Math.max(100, Math.ceil(options.maxDfShare * n));
  const frequent = (t: number) => offsets[t + 1] - offsets[t] > maxDf;
  // Each tool's weights on the frequent (unwalked) terms: the walk gives the dot product over all
  // other terms exactly, so adding these short vectors' product completes the cosine without a
  // full sparse dot product per candidate (that was three quarters of the time at 30,000 tools).
  const rest: SparseVector[] = vectors.map((v) => {
    const keep = Array.from(v.terms.keys()).filter((k) => frequent(v.terms[k]));
    return { terms: Int32Array.from(keep, (k) => v.terms[k]), weights: Float32Array.from(keep, (k) => v.weights[k]) };
  });
  const minPartial = threshold * options.minPartialShare;
  const acc = new Float64Array(n);
  const touched = new Int32Array(n);
  // Walks the postings of i's terms, from the first tool after `after` in each (postings are in
  // tool order). The pair's partial score sums the same products in the same (term) order from
  // either end, and the rest's dot product is symmetric, so both ends find the same similarity.
  const walk = (i: number, after: number, visit: (j: number, sim: number) => void) => {
    const v = vectors[i];
    let count = 0;
    for (let k = 0; k < v.terms.length; k++) {
      const t = v.terms[k];
      if (frequent(t)) continue;
      const w = v.weights[k];
      let p = offsets[t];
      const end = offsets[t + 1];
      if (after >= 0) {
        let hi = end;
        while (p < hi) {
          const mid = (p + hi) >> 1;
          if (ids[mid] <= after) p = mid + 1;
          else hi = mid;
        }
      }
      for (; p < end; p++) {
        const j = ids[p];
        if (acc[j] === 0) touched[count++] = j;
        acc[j] += w * weights[p];
      }
    }
    for (let c = 0; c < count; c++) {
      const j = touched[c];
      if (acc[j] >= minPartial) visit(j, acc[j] + sparseDot(rest[i], rest[j]));
      acc[j] = 0;
    }
  };
  return {
    size: n,
    candidates: (i, visit) => walk(i, -1, visit),
    candidatesAfter: (i, visit) => walk(i, i, visit),
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
    space.candidates(i, (j, known) => {
      if (stamp[j] === i) return;
      stamp[j] = i;
      if (!accept(j)) return;
      const sim = known ?? space.sim(i, j);
      if (sim >= threshold) found.push({ j, sim });
    });
    found.sort((x, y) => y.sim - x.sim || x.j - y.j);
    result.set(i, found.slice(0, k));
  }
  return result;
}

/** Whether neighbour x ranks before y: more similar, then the lower index. */
const before = (x: Neighbour, y: Neighbour) => x.sim > y.sim || (x.sim === y.sim && x.j < y.j);

/** Add a neighbour to a list of the best `k`, kept in rank order. */
function offer(list: Neighbour[], k: number, n: Neighbour): void {
  if (list.length === k && !before(n, list[k - 1])) return;
  let at = list.length;
  while (at > 0 && before(n, list[at - 1])) at--;
  list.splice(at, 0, n);
  if (list.length > k) list.pop();
}

/**
 * topNeighbours of every item, the same lists: in a space that offers `candidatesAfter`, each pair
 * is found once and offered to both ends (half the walk of the inverted index on 30,000 tools);
 * otherwise item by item. `onProgress` hears of every `batch` items.
 */
export function allTopNeighbours(space: SimilaritySpace, k: number, threshold: number, onProgress?: (done: number, total: number) => void, batch = 1000): Map<number, Neighbour[]> {
  const n = space.size;
  const result = new Map<number, Neighbour[]>();
  if (!space.candidatesAfter) {
    for (let start = 0; start < n; start += batch) {
      const items = Array.from({ length: Math.min(batch, n - start) }, (_, i) => start + i);
      for (const [i, list] of topNeighbours(space, k, threshold, items)) result.set(i, list);
      onProgress?.(Math.min(start + batch, n), n);
    }
    return result;
  }
  const lists: Neighbour[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    space.candidatesAfter(i, (j, sim) => {
      if (sim < threshold) return;
      offer(lists[i], k, { j, sim });
      offer(lists[j], k, { j: i, sim });
    });
    if ((i + 1) % batch === 0 || i === n - 1) onProgress?.(i + 1, n);
  }
  lists.forEach((list, i) => result.set(i, list));
  return result;
}

/**
 * A tool with no neighbour above `threshold` (often one with no parameters, only a name and a
 * sentence) keeps an edge to its most similar tool when that similarity is at least `floor`, so
 * that Louvain places it rather than leaving it a community of one. Changes `neighbours` in place.
 */
export function keepNearest(space: SimilaritySpace, neighbours: Map<number, Neighbour[]>, floor: number): void {
  const lonely = [...neighbours].filter(([, list]) => list.length === 0).map(([i]) => i);
  for (const [i, list] of topNeighbours(space, 1, floor, lonely)) neighbours.set(i, list);
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

/** How many of the `truth` neighbour pairs `got` also found, and how many there are: [found, all]. */
export function edgeRecall(truth: Map<number, Neighbour[]>, got: Map<number, Neighbour[]>): [number, number] {
  let found = 0;
  let all = 0;
  for (const [i, list] of truth) {
    const have = new Set((got.get(i) ?? []).map((n) => n.j));
    all += list.length;
    found += list.filter((n) => have.has(n.j)).length;
  }
  return [found, all];
}

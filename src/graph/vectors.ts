import type { TermBag } from './features.js';

/** A unit-length sparse vector: term ids ascending, with their weights. */
export interface SparseVector {
  terms: Int32Array;
  weights: Float32Array;
}

export interface TfIdf {
  vectors: SparseVector[];
  /** Term text by id. */
  vocabulary: string[];
  /** Inverse document frequency by term id. */
  idf: Float64Array;
}

/**
 * The default exponent on idf. Measured on the labeled sets (scripts/eval-partition.ts): a flatter
 * idf (ln(N/df)^0.5) keeps the moderately common terms that a source uses throughout (its auth
 * parameter, its path prefix, its domain nouns) strong enough to hold the source together, while
 * terms found everywhere still weigh nothing. Sharper idf (power 1.5 or 2) split sources into
 * fragments and lowered ARI on every set.
 */
export const IDF_POWER = 0.5;

/**
 * TF-IDF with sublinear term frequency (1 + ln tf) and idf = ln(N / df) ^ `idfPower`, so a term
 * found in every tool weighs nothing; each vector is scaled to unit length for cosine similarity.
 */
export function tfidf(bags: TermBag[], idfPower = IDF_POWER): TfIdf {
  const ids = new Map<string, number>();
  const vocabulary: string[] = [];
  const df: number[] = [];
  for (const bag of bags) {
    for (const term of bag.keys()) {
      let id = ids.get(term);
      if (id === undefined) {
        id = vocabulary.length;
        ids.set(term, id);
        vocabulary.push(term);
        df.push(0);
      }
      df[id]++;
    }
  }
  const n = bags.length;
  const idf = Float64Array.from(df, (d) => Math.log(n / d) ** idfPower);
  const vectors = bags.map((bag) => {
    const entries = [...bag.entries()]
      // Sublinear above one occurrence; fractional weights (low-weight fields) count as they are.
      .map(([term, tf]) => [ids.get(term)!, (tf >= 1 ? 1 + Math.log(tf) : tf) * idf[ids.get(term)!]] as const)
      .filter(([, w]) => w > 0)
      .sort((a, b) => a[0] - b[0]);
    const norm = Math.sqrt(entries.reduce((s, [, w]) => s + w * w, 0)) || 1;
    return {
      terms: Int32Array.from(entries, ([t]) => t),
      weights: Float32Array.from(entries, ([, w]) => w / norm),
    };
  });
  return { vectors, vocabulary, idf };
}

/** Dot product of two sparse vectors (cosine, since both have unit length). */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  while (i < a.terms.length && j < b.terms.length) {
    const ta = a.terms[i];
    const tb = b.terms[j];
    if (ta === tb) sum += a.weights[i++] * b.weights[j++];
    else if (ta < tb) i++;
    else j++;
  }
  return sum;
}

/** Dot product of two dense vectors. */
export function denseDot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

import { seededRng } from '../graph/rng.js';

/** A seeded source of choices; the same seed gives the same sequence of choices. */
export class Random {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRng(seed);
  }
  float(): number {
    return this.next();
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  /** Pick with probability proportional to weight. */
  weighted<T>(items: readonly T[], weight: (item: T) => number): T {
    const total = items.reduce((s, i) => s + weight(i), 0);
    let r = this.next() * total;
    for (const item of items) if ((r -= weight(item)) < 0) return item;
    return items[items.length - 1];
  }
}

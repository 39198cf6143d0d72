/**
 * A small seeded PRNG so layouts are deterministic for (input, seed) — the issue requires it,
 * and Math.random would make branches impossible to reproduce.
 */

/** FNV-1a over a string: mixes the seed with a label so each decision gets its own stream. */
export function hashString(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export type Rng = () => number;

/** mulberry32: fast, 32-bit state, good enough for layout jitter (not for cryptography). */
export function makeRng(seed: number, label = ''): Rng {
  let a = hashString(label, (seed >>> 0) ^ 0x9e3779b9) || 1;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

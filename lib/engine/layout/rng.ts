/**
 * A small seeded PRNG so layouts are deterministic for (input, seed) — the issue requires it,
 * and Math.random would make branches impossible to reproduce.
 */

import { hashString, mulberry32, type Rng } from '../../rng';

export { hashString, type Rng };

/** A stream per (seed, label): the label keeps one decision's draws independent of another's. */
export function makeRng(seed: number, label = ''): Rng {
  return mulberry32(hashString(label, (seed >>> 0) ^ 0x9e3779b9) || 1);
}

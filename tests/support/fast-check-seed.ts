/**
 * Property tests run with one fixed seed in `npm test`, as the fuzzers do: a red CI then means the
 * change broke something, not that a random seed found an old case. Search wider on demand:
 * `FC_SEED=random npm run test:unit` (a new seed each run, printed with any failure) or
 * `FC_SEED=<n> FC_RUNS=<k>` to replay or to run longer.
 */
import fc from 'fast-check';

const FIXED_SEED = 20_261_125;
const seed = process.env.FC_SEED?.trim() || String(FIXED_SEED);
const runs = Number(process.env.FC_RUNS);
fc.configureGlobal({
  ...(seed === 'random' ? {} : { seed: Number.isInteger(Number(seed)) ? Number(seed) : FIXED_SEED }),
  ...(Number.isInteger(runs) && runs > 0 ? { numRuns: runs } : {}),
});

import { describe, expect, it } from 'vitest';
import { Histogram } from '../../bench/lib/yclients';
import { parseLoadOptions } from '../../bench/load/options';
import { cpuShares, memoryGrowth, spread, type RssSample } from '../../bench/load/report';
import { cpuSeconds, rssKb, subtree } from '../../bench/load/rss';

describe('npm run load: flags', () => {
  it('defaults to the issue: 1000 clients over 100 projects, 1 edit/s, 10 minutes, warm-up 10 %', () => {
    expect(parseLoadOptions([])).toMatchObject({ duration: 600_000, clients: 1000, projects: 100, rate: 1, warmup: 120_000, jobsPerMinute: 6, write: true });
  });

  it('reads durations and a short run', () => {
    const o = parseLoadOptions(['--duration', '60s', '--clients', '200', '--projects', '20', '--warmup', '15s', '--no-write']);
    expect(o).toMatchObject({ duration: 60_000, clients: 200, projects: 20, warmup: 15_000, write: false });
    expect(parseLoadOptions(['--duration', '1.5m']).duration).toBe(90_000);
    expect(parseLoadOptions(['--duration', '90']).duration).toBe(90_000);
  });

  it('refuses bad flags with the flag named', () => {
    expect(() => parseLoadOptions(['--duration', '1x'])).toThrow(/--duration: must be a duration/);
    expect(() => parseLoadOptions(['--clients', '150'])).toThrow(/--clients: must be a multiple of --projects/);
    expect(() => parseLoadOptions(['--clients', '100'])).toThrow(/--clients: needs at least 2 clients per project/);
    expect(() => parseLoadOptions(['--rate', '0'])).toThrow(/--rate/);
    expect(() => parseLoadOptions(['--warmup', '20m'])).toThrow(/--warmup: must be shorter/);
    expect(() => parseLoadOptions(['--collab-url', 'ws://127.0.0.1:1234'])).toThrow(/--url/);
    expect(() => parseLoadOptions(['--bogus'])).toThrow(/bogus/);
  });
});

describe('Histogram', () => {
  it('gives percentiles within its 1 % bucket width, whatever the order of the samples', () => {
    const h = new Histogram();
    const values = Array.from({ length: 10_000 }, (_, i) => (i + 1) / 10);
    for (const v of [...values].reverse()) h.record(v);
    expect(h.count).toBe(10_000);
    expect(h.percentile(50)).toBeGreaterThanOrEqual(500 * 0.99);
    expect(h.percentile(50)).toBeLessThanOrEqual(500 * 1.01);
    expect(h.percentile(99)).toBeGreaterThanOrEqual(990 * 0.99);
    expect(h.percentile(99)).toBeLessThanOrEqual(990 * 1.01);
    expect(h.percentile(100)).toBe(1000);
    // Whole buckets above 900 ms: at most one bucket (1 %) short of the 1000 samples > 900.
    expect(h.countAbove(900)).toBeGreaterThanOrEqual(1000 - 91);
    expect(h.countAbove(900)).toBeLessThanOrEqual(1000);
    const other = new Histogram();
    other.record(5_000);
    h.merge(other);
    expect(h.max).toBe(5_000);
    expect(h.count).toBe(10_001);
    expect(new Histogram().percentile(50)).toBeNaN();
  });
});

describe('memory and CPU figures', () => {
  const sample = (s: number, web: number, cpu: number): RssSample => ({ atMs: s * 1000, mb: { web }, cpuS: { web: cpu } });

  it('compares the median of the fifth of the run after warm-up with that of the last fifth, against 5 %', () => {
    const flat = Array.from({ length: 101 }, (_, s) => sample(s, s === 15 ? 400 : 200, s / 2));
    expect(memoryGrowth(flat, 10_000, 100_000)).toEqual([{ service: 'web', warmMb: 200, endMb: 200, growth: 0, pass: true }]);
    const leaking = Array.from({ length: 101 }, (_, s) => sample(s, 200 + s, 0));
    const [g] = memoryGrowth(leaking, 10_000, 100_000);
    expect(g.pass).toBe(false);
    // Window after warm-up 10–30 s → median 220 MB; last fifth (80–100 s) → median 290 MB.
    expect(g).toMatchObject({ warmMb: 220, endMb: 290 });
    expect(g.growth).toBeCloseTo(70 / 220, 6);
    expect(cpuShares(flat)).toEqual([['web', 50]]);
  });

  it('spreads about n samples over a run, first and last included', () => {
    const items = Array.from({ length: 95 }, (_, i) => i);
    const picked = spread(items, 10);
    expect(picked).toHaveLength(10);
    expect(picked[0]).toBe(0);
    expect(picked[9]).toBe(94);
    expect(spread([1, 2, 3], 10)).toEqual([1, 2, 3]);
  });

  it('reads this process from /proc', () => {
    expect(rssKb(process.pid)).toBeGreaterThan(10_000);
    expect(cpuSeconds(process.pid)).toBeGreaterThan(0);
    expect(subtree(process.pid)).toContain(process.pid);
  });
});

import { describe, expect, it } from 'vitest';
import { countMisses, markdownTable, medianFigures, parseRun, verdict, type LighthouseSummaryInput, type RunFigures } from '../../bench/web/summary';

function lhr(values: Partial<Record<string, number>> = {}, overrides: Partial<LighthouseSummaryInput> = {}): LighthouseSummaryInput {
  const v = { fcp: 900, lcp: 1800, cls: 0.02, tti: 2100, tbt: 120, si: 1500, ...values };
  return {
    lighthouseVersion: '13.5.0',
    finalDisplayedUrl: 'http://127.0.0.1:3000/projects',
    runWarnings: [],
    environment: { hostUserAgent: 'HeadlessChrome/156' },
    configSettings: { formFactor: 'mobile', throttlingMethod: 'simulate', throttling: { rttMs: 150, throughputKbps: 1638.4, cpuSlowdownMultiplier: 4 } },
    categories: { performance: { score: 0.93 } },
    audits: {
      'first-contentful-paint': { numericValue: v.fcp },
      'largest-contentful-paint': { numericValue: v.lcp },
      'cumulative-layout-shift': { numericValue: v.cls },
      interactive: { numericValue: v.tti },
      'total-blocking-time': { numericValue: v.tbt },
      'speed-index': { numericValue: v.si },
      'network-requests': {
        details: {
          items: [
            { resourceType: 'Document', transferSize: 4096 },
            { resourceType: 'Script', transferSize: 10_240 },
            { resourceType: 'Script', transferSize: 20_480 },
            { resourceType: 'Image' },
          ],
        },
      },
    },
    ...overrides,
  };
}

const figures = (over: Partial<RunFigures> = {}): RunFigures => ({ fcp: 1000, lcp: 2000, cls: 0.05, tti: 2500, tbt: 100, si: 1400, score: 90, ...over });

describe('bench:web summary', () => {
  it('reads the figures, the score and the throttling out of a Lighthouse result', () => {
    const run = parseRun(lhr());
    expect(run.figures).toEqual({ fcp: 900, lcp: 1800, cls: 0.02, tti: 2100, tbt: 120, si: 1500, score: 93, jsKB: 30 });
    expect(run.formFactor).toBe('mobile');
    expect(run.throttling).toBe('simulated (150 ms RTT, 1638 kb/s, CPU ×4)');
  });

  it('refuses a result missing an audit, one with a runtime error, and one without a score', () => {
    const missing = lhr();
    delete (missing.audits as Record<string, unknown>).interactive;
    expect(() => parseRun(missing)).toThrow(/audits\.interactive/);
    expect(() => parseRun(lhr({}, { runtimeError: { code: 'NO_FCP', message: 'The page did not paint' } }))).toThrow(/NO_FCP/);
    expect(() => parseRun(lhr({}, { categories: { performance: { score: null } } }))).toThrow(/no performance score/);
    expect(() => parseRun('not a result')).toThrow(/not a usable Lighthouse result/);
  });

  it('takes each metric’s own median over runs', () => {
    const m = medianFigures([figures({ fcp: 3000, lcp: 1000 }), figures({ fcp: 1000, lcp: 3000 }), figures({ fcp: 2000, lcp: 2000, score: 50 })]);
    expect(m.fcp).toBe(2000);
    expect(m.lcp).toBe(2000);
    expect(m.score).toBe(90);
    expect(m.jsKB).toBeUndefined();
    expect(medianFigures([figures({ jsKB: 100 }), figures({ jsKB: 300 }), figures({ jsKB: 200 })]).jsKB).toBe(200);
    expect(() => medianFigures([])).toThrow();
  });

  it('compares with the seed’s bars: strictly below passes, the ratio is bar / ours', () => {
    expect(verdict('fcp', 1000)).toEqual({ ratio: '1.50×', pass: true });
    expect(verdict('fcp', 1500)).toEqual({ ratio: '1.00×', pass: false });
    expect(verdict('cls', 0)).toEqual({ ratio: '∞', pass: true });
    expect(verdict('tbt', 100)).toBeNull();
  });

  it('lays out one markdown row per page with before → after and counts the misses', () => {
    const rows = [
      { page: 'dashboard', formFactor: 'mobile' as const, figures: figures({ tti: 3200, jsKB: 180.4 }), before: figures({ tti: 4000, score: 70, jsKB: 380.6 }) },
      { page: 'sign-in', formFactor: 'desktop' as const, figures: figures() },
    ];
    const table = markdownTable(rows);
    expect(table[0]).toContain('FCP (bar < 1.50 s)');
    expect(table[0]).toContain('CLS (bar < 0.100)');
    expect(table).toHaveLength(4);
    expect(table[2]).toBe(
      '| dashboard | mobile | 1.00 s → 1.00 s (1.50× PASS) | 2.00 s → 2.00 s (1.25× PASS) | 0.050 → 0.050 (2.00× PASS) | 4.00 s → 3.20 s (0.94× MISS) | 0.10 s → 0.10 s | 1.40 s → 1.40 s | 70 → 90 | 381 → 180 |',
    );
    expect(table[3]).toContain('| sign-in | desktop | 1.00 s (1.50× PASS)');
    expect(countMisses(rows)).toEqual({ checked: 8, missed: ['dashboard mobile TTI 3.20 s'] });
  });
});

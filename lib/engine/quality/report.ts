/**
 * Markdown tables of quality reports, for BENCHMARKS.md and the final-phase view: our book and
 * the fixed-grid baseline side by side, on the same metrics.
 */
import type { BookQualityReport, BookSummaryMetric } from './types';

const fmt = (m: BookSummaryMetric | undefined): string => {
  if (!m || m.value === null) return 'n/a';
  // Shares keep a decimal when rounding would hide a failure (99.5 % must not print as 100 %).
  const pct = m.value * 100;
  const v = m.id.endsWith('.mean') ? m.value.toFixed(2) : `${Number.isInteger(pct) ? pct.toFixed(0) : Math.min(99.9, pct).toFixed(1)} %`;
  return `${v}${m.pass ? '' : ' ✗'}`;
};

/** One row per metric: target, then each book's value (share of pages passing, or the mean). */
export function formatComparison(books: ReadonlyArray<{ name: string; report: BookQualityReport }>): string {
  const ids = books[0]?.report.summary.map((s) => s.id) ?? [];
  const head = `| metric | target | ${books.map((b) => b.name).join(' | ')} |`;
  const sep = `|---|---|${books.map(() => '---|').join('')}`;
  const rows = ids.map((id) => {
    const target = id.endsWith('.mean') ? books[0].report.summary.find((s) => s.id === id)?.target ?? '' : 'every page';
    return `| ${id} | ${target} | ${books.map((b) => fmt(b.report.summary.find((s) => s.id === id))).join(' | ')} |`;
  });
  return [head, sep, ...rows].join('\n');
}

/** The page-level failures of a report, one line each (for logs and review comments). */
export function failures(report: BookQualityReport): string[] {
  return report.pages.flatMap((p) =>
    p.metrics.filter((m) => !m.pass).map((m) => `page ${p.pageIndex + 1} ${m.id}: ${m.value ?? 'n/a'} (target ${m.target})${m.detail ? ` — ${m.detail}` : ''}`),
  );
}

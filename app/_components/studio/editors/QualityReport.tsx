'use client';
/**
 * The final phase's quality report as people read it: overall pass, the book-level metrics
 * (M1–M18, share of pages passing or a mean, against the target), what phase 7 fixed, and the
 * pages that still fail which check. The report comes from the shared document, so it is
 * parsed leniently (unknown shapes fall back to the raw JSON below the table).
 */
import { z } from 'zod';
import { useI18n } from '../../../_lib/i18n';

const summaryMetric = z.object({ id: z.string(), value: z.number().nullable(), target: z.string(), pass: z.boolean() });
const pageMetric = summaryMetric.extend({ detail: z.string().optional() });
const reportSchema = z.object({
  pass: z.boolean(),
  quality: z.object({
    summary: z.array(summaryMetric),
    pages: z.array(z.object({ pageIndex: z.number(), pass: z.boolean(), metrics: z.array(pageMetric) })).default([]),
  }),
  fixes: z.array(z.unknown()).default([]),
  pages: z.number().optional(),
  panels: z.number().optional(),
  balloons: z.number().optional(),
});

function formatValue(id: string, value: number | null): string {
  if (value === null) return '—';
  // Book-level entries without ".mean" are the share of pages passing.
  if (!id.endsWith('.mean') && value >= 0 && value <= 1) return `${Math.round(value * 100)}%`;
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

export function QualityReport({ report }: { report: unknown }) {
  const { t } = useI18n();
  const parsed = reportSchema.safeParse(report);
  const raw = (
    <details>
      <summary className="small muted">JSON</summary>
      <pre style={{ whiteSpace: 'pre-wrap', fontSize: '.8rem', maxHeight: 400, overflow: 'auto' }}>{JSON.stringify(report, null, 2)}</pre>
    </details>
  );
  if (!parsed.success) return <section className="card" aria-labelledby="report-h"><h3 id="report-h">{t('studio.report')}</h3>{raw}</section>;
  const r = parsed.data;
  const failing = r.quality.pages.filter((p) => !p.pass);
  return (
    <section className="card stack" aria-labelledby="report-h" data-testid="quality-report" data-pass={r.pass}>
      <div className="row">
        <h3 id="report-h" style={{ margin: 0 }}>
          {t('studio.report')}
        </h3>
        <span className={`badge status-badge status-${r.pass ? 'approved' : 'failed'}`}>{r.pass ? t('studio.reportPass') : t('studio.reportFail')}</span>
        <span className="small muted">
          {[r.pages !== undefined ? t('studio.reportPages', { n: r.pages }) : null, r.fixes.length > 0 ? t('studio.reportFixes', { n: r.fixes.length }) : null]
            .filter(Boolean)
            .join(' · ')}
        </span>
      </div>
      <table className="small" style={{ width: "100%", textAlign: "left", borderCollapse: "collapse" }}>
        <caption className="sr-only">{t('studio.report')}</caption>
        <thead>
          <tr>
            <th scope="col">{t('studio.reportMetric')}</th>
            <th scope="col">{t('studio.reportValue')}</th>
            <th scope="col">{t('studio.reportTarget')}</th>
            <th scope="col">{t('studio.reportResult')}</th>
          </tr>
        </thead>
        <tbody>
          {r.quality.summary.map((m) => (
            <tr key={m.id} data-metric={m.id} data-pass={m.pass}>
              <th scope="row">{m.id}</th>
              <td>{formatValue(m.id, m.value)}</td>
              <td>{m.target}</td>
              <td>{m.pass ? '✓' : `✗ ${t('studio.reportFail')}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {failing.length > 0 ? (
        <ul className="small">
          {failing.map((p) => (
            <li key={p.pageIndex}>
              {t('studio.page', { n: p.pageIndex + 1 })}:{' '}
              {p.metrics
                .filter((m) => !m.pass)
                .map((m) => (m.detail ? `${m.id} (${m.detail})` : m.id))
                .join(', ')}
            </li>
          ))}
        </ul>
      ) : null}
      {raw}
    </section>
  );
}

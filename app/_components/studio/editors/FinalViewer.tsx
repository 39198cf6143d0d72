'use client';
/**
 * Phase 7: the composed pages, turned in the book's reading direction (in a right-to-left book
 * the next page is to the left, and ← turns forward), the quality report, and the exports.
 */
import { useEffect, useState } from 'react';
import * as Y from 'yjs';
import { yToJson } from '../../../../lib/doc/convert';
import { apiRaw } from '../../../_lib/api';
import { useI18n } from '../../../_lib/i18n';
import { useY } from '../../../_lib/useY';
import { assetUrl, useStudio } from '../context';
import { ErrorAlert } from '../../ErrorAlert';
import { QualityReport } from './QualityReport';

interface PageImg {
  index: number;
  assetId: string | null;
  width: number;
  height: number;
}

const FORMATS = [
  { id: 'pdf', label: 'PDF', ext: 'pdf' },
  { id: 'cbz', label: 'CBZ', ext: 'cbz' },
  { id: 'zip', label: 'PNG zip', ext: 'zip' },
  { id: 'webtoon', label: 'Webtoon', ext: 'zip' },
] as const;

function filenameFrom(res: Response, fallback: string): string {
  const cd = res.headers.get('content-disposition') ?? '';
  const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(cd);
  return m ? decodeURIComponent(m[1]) : fallback;
}

export function FinalViewer({ content }: { content: Y.Map<unknown> }) {
  const { t } = useI18n();
  const { quality, readingDirection, projectId } = useStudio();
  const pages = useY(content, (c) => {
    const a = c.get('pages');
    const raw = yToJson(a ?? []);
    return (Array.isArray(raw) ? (raw as unknown as PageImg[]) : []).filter((p) => p && typeof p.index === 'number').sort((x, y) => x.index - y.index);
  }, [] as PageImg[]);
  const report = useY(content, (c) => yToJson(c.get('report') ?? null), null);
  const [i, setI] = useState(0);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const rtl = readingDirection === 'rtl';
  const page = pages[Math.min(i, Math.max(0, pages.length - 1))];
  const next = () => setI((n) => Math.min(n + 1, pages.length - 1));
  const prev = () => setI((n) => Math.max(n - 1, 0));

  useEffect(() => {
    function onKey(e: KeyboardEvent) {
      if (e.target instanceof HTMLElement && e.target.closest('input, textarea, select, [contenteditable="true"]')) return;
      if (e.key === 'ArrowLeft') (rtl ? next : prev)();
      if (e.key === 'ArrowRight') (rtl ? prev : next)();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  async function download(format: (typeof FORMATS)[number]) {
    setBusy(format.id);
    setError(null);
    try {
      const res = await apiRaw(`/api/projects/${projectId}/export?format=${format.id}`);
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = filenameFrom(res, `koma-${projectId.slice(0, 8)}.${format.ext}`);
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  const turnLeft = (
    <button type="button" className="btn" onClick={rtl ? next : prev} disabled={rtl ? i >= pages.length - 1 : i <= 0} aria-label={t(rtl ? 'studio.nextPage' : 'studio.prevPage')}>
      ←
    </button>
  );
  const turnRight = (
    <button type="button" className="btn" onClick={rtl ? prev : next} disabled={rtl ? i <= 0 : i >= pages.length - 1} aria-label={t(rtl ? 'studio.prevPage' : 'studio.nextPage')}>
      →
    </button>
  );

  return (
    <div className="stack">
      <section className="row" aria-label={t('studio.export')}>
        <strong>{t('studio.export')}</strong>
        {FORMATS.map((f) => (
          <button key={f.id} type="button" className="btn btn-sm" disabled={busy !== null || pages.length === 0} onClick={() => download(f)} data-export={f.id}>
            {busy === f.id ? '…' : '⤓'} {f.label}
          </button>
        ))}
      </section>
      <ErrorAlert error={error} />
      {page ? (
        <section className="viewer" aria-roledescription="page viewer" aria-label={t('studio.pageOf', { n: i + 1, total: pages.length })}>
          <div className="row" style={{ justifyContent: 'center' }}>
            {turnLeft}
            <span aria-live="polite">{t('studio.pageOf', { n: i + 1, total: pages.length })}</span>
            {turnRight}
          </div>
          {page.assetId ? (
            <img
              className="viewer-page"
              src={assetUrl(page.assetId, quality)}
              alt={t('studio.page', { n: page.index + 1 })}
              width={page.width}
              height={page.height}
              /* Sized before the picture arrives (no layout shift): the page's own aspect ratio, as wide as fits the column and 70% of the viewport's height. */
              style={{ aspectRatio: `${page.width} / ${page.height}`, width: `min(100%, calc(70vh * ${page.width} / ${page.height}))`, height: 'auto' }}
            />
          ) : null}
        </section>
      ) : (
        <p className="muted">{t('studio.noPages')}</p>
      )}
      {report ? <QualityReport report={report} /> : null}
    </div>
  );
}

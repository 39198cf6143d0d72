'use client';
/**
 * Phase 4, the name: the tldraw canvas (client-only, loaded on demand) plus the tools a
 * storyboard needs — split, merge, reorder, delete — and an inspector for the selected panel's
 * shot, camera and notes. Every tool writes canvas records; the canvas follows the doc.
 */
import dynamic from 'next/dynamic';
import { useMemo, useState } from 'react';
import type { Editor } from 'tldraw';
import * as Y from 'yjs';
import { CAMERA_ANGLES, SHOT_TYPES } from '../../../../lib/engine/types';
import { PAGE_FORMATS } from '../../../../lib/engine/formats';
import { CANVAS_KEY, canvasKeyValue, canvasRecords, type CanvasPanelRecord, type CanvasRecord, type NameCanvasEntry } from '../../../../lib/doc/canvas';
import { useI18n } from '../../../_lib/i18n';
import { useY } from '../../../_lib/useY';
import { useStudio } from '../context';
import { renumber } from './name-canvas-model';
import { blankPanel } from '../../../_lib/blank-outputs';

const NameCanvas = dynamic(() => import('./NameCanvas'), { ssr: false, loading: () => <CanvasLoading /> });

function CanvasLoading() {
  const { t } = useI18n();
  return (
    <p className="muted" role="status" style={{ padding: 20 }}>
      {t('common.loading')}
    </p>
  );
}

function newPanelId(): string {
  return `p-${crypto.randomUUID().slice(0, 8)}`;
}

/** Every panel as a button, page by page in reading order: the canvas's selection, reachable by keyboard. */
function PanelList({
  panels,
  records,
  selected,
  onSelect,
}: {
  panels: Array<[string, CanvasPanelRecord]>;
  records: Map<string, CanvasRecord>;
  selected: string[];
  onSelect: (keys: string[]) => void;
}) {
  const { t } = useI18n();
  const pages = Array.from(records.entries())
    .filter((e): e is [string, { kind: 'page'; index: number }] => e[1]?.kind === 'page')
    .sort((a, b) => a[1].index - b[1].index);
  return (
    <nav aria-label={t('studio.panelList')} className="row small" style={{ alignItems: 'flex-start' }}>
      {pages.map(([pageKey, page]) => (
        <div key={pageKey} className="row" style={{ gap: 4 }}>
          <span className="muted">{t('studio.page', { n: page.index + 1 })}:</span>
          {panels
            .filter(([, p]) => p.page === pageKey)
            .sort((a, b) => a[1].order - b[1].order)
            .map(([key, p]) => (
              <button
                key={key}
                type="button"
                className="btn btn-sm"
                aria-pressed={selected.includes(key)}
                // Shift/Ctrl/⌘ adds to the selection (merge without a mouse on the canvas).
                onClick={(e) => onSelect(e.shiftKey || e.ctrlKey || e.metaKey ? (selected.includes(key) ? selected.filter((k) => k !== key) : [...selected, key]) : [key])}
                title={p.description}
              >
                {p.order + 1}
              </button>
            ))}
        </div>
      ))}
    </nav>
  );
}

export function NameEditor({ content, editable }: { content: Y.Map<unknown>; editable: boolean }) {
  const { t } = useI18n();
  const { readingDirection, workDoc } = useStudio();
  const arr = useY(content, (c) => {
    const a = c.get(CANVAS_KEY);
    return a instanceof Y.Array ? (a as Y.Array<NameCanvasEntry>) : null;
  }, null);
  const kv = useMemo(() => (arr ? canvasKeyValue(arr) : null), [arr]);
  const records = useY(arr, (a) => canvasRecords(a), new Map());
  const [selected, setSelected] = useState<string[]>([]);
  const [editor, setEditor] = useState<Editor | null>(null);
  const format = useY(workDoc.getMap('meta'), (m) => (typeof m.get('pageFormat') === 'string' ? (m.get('pageFormat') as string) : 'B5'), 'B5');
  const trim = (PAGE_FORMATS as Record<string, { trimMm: { w: number; h: number } } | undefined>)[format]?.trimMm ?? { w: 182, h: 257 };

  if (!arr || !kv) return <p className="muted">{t('studio.noBranch')}</p>;

  const panels = Array.from(records.entries()).filter((e): e is [string, CanvasPanelRecord] => e[1]?.kind === 'panel');
  const sel = panels.filter(([k]) => selected.includes(k));
  const one = sel.length === 1 ? sel[0] : null;

  /** Writes a page's panels with orders 0..n-1 (after a split, merge or move in the order). */
  function writePage(pageKey: string, list: CanvasPanelRecord[], removed: string[] = []) {
    if (!kv) return;
    workDoc.transact(() => {
      for (const k of removed) kv.delete(k);
      for (const p of renumber(list)) kv.set(`panel:${p.id}`, p);
    }, 'koma:canvas');
  }
  const pagePanels = (pageKey: string) => panels.filter(([, p]) => p.page === pageKey).map(([, p]) => p);

  function split(direction: 'h' | 'v') {
    if (!one) return;
    const [, p] = one;
    const [x, y, w, h] = p.bboxMm;
    const gap = 3;
    const a: CanvasPanelRecord = { ...p, bboxMm: direction === 'v' ? [x, y, (w - gap) / 2, h] : [x, y, w, (h - gap) / 2] };
    const bBox: [number, number, number, number] =
      direction === 'v' ? [x + (w + gap) / 2, y, (w - gap) / 2, h] : [x, y + (h + gap) / 2, w, (h - gap) / 2];
    // In a right-to-left book the right half is read first.
    const rtlFirst = direction === 'v' && readingDirection === 'rtl';
    const b: CanvasPanelRecord = { ...p, id: newPanelId(), bboxMm: bBox, order: p.order + 0.5, faces: [], description: '' };
    if (rtlFirst) {
      b.order = p.order - 0.5;
    }
    const rest = pagePanels(p.page).filter((q) => q.id !== p.id);
    writePage(p.page, [...rest, a, b]);
  }

  function merge() {
    if (sel.length < 2) return;
    const page = sel[0][1].page;
    const same = sel.filter(([, p]) => p.page === page).map(([, p]) => p);
    const x0 = Math.min(...same.map((p) => p.bboxMm[0]));
    const y0 = Math.min(...same.map((p) => p.bboxMm[1]));
    const x1 = Math.max(...same.map((p) => p.bboxMm[0] + p.bboxMm[2]));
    const y1 = Math.max(...same.map((p) => p.bboxMm[1] + p.bboxMm[3]));
    const first = [...same].sort((a, b) => a.order - b.order)[0];
    const merged: CanvasPanelRecord = {
      ...first,
      bboxMm: [x0, y0, x1 - x0, y1 - y0],
      description: same.map((p) => p.description).filter(Boolean).join(' / ').slice(0, 2000),
      characters: Array.from(new Set(same.flatMap((p) => p.characters))),
    };
    const removedIds = same.filter((p) => p.id !== first.id).map((p) => `panel:${p.id}`);
    const rest = pagePanels(page).filter((q) => !same.some((s) => s.id === q.id));
    writePage(page, [...rest, merged], removedIds);
  }

  function move(delta: -1 | 1) {
    if (!one) return;
    const [, p] = one;
    const list = renumber(pagePanels(p.page));
    const i = list.findIndex((q) => q.id === p.id);
    const j = i + delta;
    if (j < 0 || j >= list.length) return;
    [list[i], list[j]] = [list[j], list[i]];
    writePage(p.page, list.map((q, n) => ({ ...q, order: n })));
  }

  function remove() {
    if (!sel.length) return;
    const byPage = new Map<string, string[]>();
    for (const [k, p] of sel) byPage.set(p.page, [...(byPage.get(p.page) ?? []), k]);
    for (const [page, keys] of byPage) writePage(page, pagePanels(page).filter((q) => !keys.includes(`panel:${q.id}`)), keys);
  }

  function addPage() {
    if (!kv) return;
    const pageIndexes = Array.from(records.values()).filter((r) => r?.kind === 'page').map((r) => (r as { index: number }).index);
    const index = pageIndexes.length ? Math.max(...pageIndexes) + 1 : 0;
    workDoc.transact(() => {
      kv.set(`page:${index}`, { kind: 'page', index });
      const panel = blankPanel(format, 0);
      kv.set(`panel:${panel.id}`, { ...panel, kind: 'panel', page: `page:${index}` });
    }, 'koma:canvas');
  }

  /** A new panel on the selected panel's page (or the first page), in the lower half of the frame. */
  function addPanel() {
    if (!kv) return;
    const pageKey = one?.[1].page ?? Array.from(records.entries()).find(([, r]) => r?.kind === 'page')?.[0];
    if (!pageKey) return addPage();
    const panel = blankPanel(format, pagePanels(pageKey).length);
    const [x, y, w, h] = panel.bboxMm;
    panel.bboxMm = [x + w / 4, y + h / 2, w / 2, h / 3];
    kv.set(`panel:${panel.id}`, { ...panel, kind: 'panel', page: pageKey });
  }

  function setField(field: 'shot' | 'camera' | 'description', value: string) {
    if (!one || !kv) return;
    kv.set(one[0], { ...one[1], [field]: value } as CanvasPanelRecord);
  }

  return (
    <div className="stack">
      <p className="hint">{t('studio.canvasHelp')}</p>
      <div className="row" role="toolbar" aria-label={t('studio.tools')}>
        <button type="button" className="btn btn-sm" disabled={!editable || !one} onClick={() => split('v')}>
          {t('studio.splitV')}
        </button>
        <button type="button" className="btn btn-sm" disabled={!editable || !one} onClick={() => split('h')}>
          {t('studio.splitH')}
        </button>
        <button type="button" className="btn btn-sm" disabled={!editable || sel.length < 2} onClick={merge}>
          {t('studio.merge')}
        </button>
        <button type="button" className="btn btn-sm" disabled={!editable || !one} onClick={() => move(-1)} aria-label={t('studio.readEarlier')}>
          ← 1
        </button>
        <button type="button" className="btn btn-sm" disabled={!editable || !one} onClick={() => move(1)} aria-label={t('studio.readLater')}>
          1 →
        </button>
        <button type="button" className="btn btn-sm btn-danger" disabled={!editable || sel.length === 0} onClick={remove}>
          {t('common.delete')}
        </button>
        <button type="button" className="btn btn-sm" disabled={!editable} onClick={addPanel} data-testid="add-panel">
          + {t('studio.addPanel')}
        </button>
        <button type="button" className="btn btn-sm" disabled={!editable} onClick={addPage}>
          + {t('studio.addPage')}
        </button>
        <span className="spacer" />
        <button type="button" className="btn btn-sm" onClick={() => editor?.zoomToFit({ animation: { duration: 200 } })}>
          {t('studio.fit')}
        </button>
        <span className="small muted">
          {t('studio.panelsCount', { count: panels.length })} · {format}
        </span>
      </div>
      <div className="canvas-wrap" data-testid="name-canvas">
        <NameCanvas
          kv={kv}
          trim={trim}
          direction={readingDirection}
          editable={editable}
          pageLabel={(n) => t('studio.page', { n })}
          onSelect={(keys) => setSelected((prev) => (prev.length === keys.length && prev.every((k) => keys.includes(k)) ? prev : keys))}
          selected={selected}
          onEditor={setEditor}
        />
      </div>
      <PanelList panels={panels} records={records} selected={selected} onSelect={setSelected} />
      {one ? (
        <section className="card" aria-label={t('studio.panel', { n: one[1].order + 1 })}>
          <h2>{t('studio.panel', { n: one[1].order + 1 })}</h2>
          <div className="fields-grid">
            <div className="field">
              <label htmlFor="panel-shot">{t('studio.shot')}</label>
              <select id="panel-shot" className="select" value={one[1].shot} disabled={!editable} onChange={(e) => setField('shot', e.target.value)}>
                {SHOT_TYPES.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="panel-camera">{t('studio.camera')}</label>
              <select id="panel-camera" className="select" value={one[1].camera} disabled={!editable} onChange={(e) => setField('camera', e.target.value)}>
                {CAMERA_ANGLES.map((s) => (
                  <option key={s}>{s}</option>
                ))}
              </select>
            </div>
          </div>
          <div className="field" style={{ marginTop: 10 }}>
            <label htmlFor="panel-notes">{t('studio.notes')}</label>
            <textarea
              id="panel-notes"
              className="textarea"
              style={{ minHeight: 80 }}
              value={one[1].description}
              disabled={!editable}
              onChange={(e) => setField('description', e.target.value)}
            />
          </div>
        </section>
      ) : null}
    </div>
  );
}

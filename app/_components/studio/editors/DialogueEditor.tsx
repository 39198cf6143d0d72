'use client';
/**
 * Phase 6: the lines (speaker, kind, text) co-edited in place, and the lettered balloons drawn
 * over the name's panels as they will print — vertical columns for Japanese.
 */
import * as Y from 'yjs';
import { BALLOON_KINDS } from '../../../../lib/engine/types';
import { PAGE_FORMATS } from '../../../../lib/engine/formats';
import { canvasRecords, CANVAS_KEY, type NameCanvasEntry } from '../../../../lib/doc/canvas';
import { yToJson } from '../../../../lib/doc/convert';
import { useI18n } from '../../../_lib/i18n';
import { branchContent, readPhaseView } from '../../../_lib/studio-model';
import { useY, useYVersion } from '../../../_lib/useY';
import { useStudio } from '../context';
import { YField } from './YField';
import { jsonToY } from '../../../../lib/doc/convert';
import { shortId } from '../../../_lib/blank-outputs';

interface Balloon {
  id: string;
  panelId: string;
  kind: string;
  text: string;
  bboxMm: [number, number, number, number];
  columns: string[];
  vertical: boolean;
  fontSizeMm: number;
}

function useCast(): Array<{ id: string; name: string }> {
  const { workDoc } = useStudio();
  const v = useYVersion(workDoc);
  void v;
  const view = readPhaseView(workDoc, 'characters');
  const c = branchContent(workDoc, 'characters', view.activeBranchId);
  const cast = c?.get('cast');
  if (!(cast instanceof Y.Array)) return [];
  return cast
    .toArray()
    .filter((m): m is Y.Map<unknown> => m instanceof Y.Map)
    .map((m) => ({ id: String(m.get('id') ?? ''), name: String(m.get('name') ?? '') }));
}

function LineRow({ line, cast, editable }: { line: Y.Map<unknown>; cast: Array<{ id: string; name: string }>; editable: boolean }) {
  const { t } = useI18n();
  const v = useY(line, (m) => ({ speakerId: (m.get('speakerId') as string | null) ?? '', kind: String(m.get('kind') ?? 'speech'), id: String(m.get('id') ?? '') }), {
    speakerId: '',
    kind: 'speech',
    id: '',
  });
  return (
    <tr data-line={v.id}>
      <td>
        <select
          className="select"
          aria-label={t('studio.speaker')}
          value={v.speakerId}
          disabled={!editable}
          onChange={(e) => line.set('speakerId', e.target.value || null)}
        >
          <option value="">{t('common.none')}</option>
          {cast.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </td>
      <td>
        <select className="select" aria-label={t('studio.kind')} value={v.kind} disabled={!editable} onChange={(e) => line.set('kind', e.target.value)}>
          {BALLOON_KINDS.map((k) => (
            <option key={k}>{k}</option>
          ))}
        </select>
      </td>
      <td style={{ width: '60%' }}>
        <YField map={line} field="text" label={t('studio.text')} disabled={!editable} hideLabel />
      </td>
    </tr>
  );
}

function LetteredPage({ index, panels, balloons, trim }: {
  index: number;
  panels: Array<{ id: string; bboxMm: [number, number, number, number] }>;
  balloons: Balloon[];
  trim: { w: number; h: number };
}) {
  const { t } = useI18n();
  return (
    <figure style={{ margin: 0 }}>
      <svg viewBox={`0 0 ${trim.w} ${trim.h}`} style={{ width: 260, background: '#fff', borderRadius: 4 }} role="img" aria-label={t('studio.page', { n: index + 1 })}>
        {panels.map((p) => (
          <rect key={p.id} x={p.bboxMm[0]} y={p.bboxMm[1]} width={p.bboxMm[2]} height={p.bboxMm[3]} fill="#fafafa" stroke="#111" strokeWidth={0.8} />
        ))}
        {balloons.map((b) => {
          const [x, y, w, h] = b.bboxMm;
          const fs = b.fontSizeMm || 3;
          return (
            <g key={b.id}>
              {b.kind === 'narration' ? (
                <rect x={x} y={y} width={w} height={h} fill="#fff" stroke="#111" strokeWidth={0.4} />
              ) : b.kind === 'sfx' ? null : (
                <ellipse cx={x + w / 2} cy={y + h / 2} rx={w / 2 + 1.5} ry={h / 2 + 1.5} fill="#fff" stroke="#111" strokeWidth={0.4} strokeDasharray={b.kind === 'thought' ? '1 1' : undefined} />
              )}
              {b.vertical
                ? b.columns.map((col, i) => (
                    // Columns run right to left; each column top to bottom, upright glyphs.
                    <text key={i} x={x + w - fs * (i + 0.5)} y={y} fontSize={fs} writingMode="vertical-rl" style={{ textOrientation: 'upright' }} fill="#111">
                      {col}
                    </text>
                  ))
                : b.columns.map((col, i) => (
                    <text key={i} x={x + w / 2} y={y + fs * (i + 1)} fontSize={fs} textAnchor="middle" fill="#111">
                      {col}
                    </text>
                  ))}
            </g>
          );
        })}
      </svg>
      <figcaption className="small muted">{t('studio.page', { n: index + 1 })}</figcaption>
    </figure>
  );
}

export function DialogueEditor({ content, editable }: { content: Y.Map<unknown>; editable: boolean }) {
  const { t } = useI18n();
  const { workDoc } = useStudio();
  const cast = useCast();
  const version = useYVersion(workDoc);
  void version;
  const lines = useY(content, (c) => {
    const a = c.get('lines');
    return a instanceof Y.Array ? (a.toArray().filter((m) => m instanceof Y.Map) as Y.Map<unknown>[]) : [];
  }, []);
  const balloons = (() => {
    const raw = yToJson(content.get('balloons') ?? []);
    return Array.isArray(raw) ? (raw as unknown as Balloon[]).filter((b) => b && Array.isArray(b.bboxMm)) : [];
  })();
  // Pages and panels come from the name's active branch.
  const name = readPhaseView(workDoc, 'name');
  const arr = branchContent(workDoc, 'name', name.activeBranchId)?.get(CANVAS_KEY);
  const recs = arr instanceof Y.Array ? canvasRecords(arr as Y.Array<NameCanvasEntry>) : new Map();
  const pages: Array<{ index: number; key: string }> = [];
  for (const [k, r] of recs) if (r?.kind === 'page') pages.push({ index: r.index, key: k });
  pages.sort((a, b) => a.index - b.index);
  const firstPanel = (() => {
    const first = pages[0];
    if (!first) return null;
    const ps = Array.from(recs.values()).filter((r) => r?.kind === 'panel' && r.page === first.key) as Array<{ id: string; order: number }>;
    return ps.sort((a, b) => a.order - b.order)[0]?.id ?? null;
  })();
  const format = String(workDoc.getMap('meta').get('pageFormat') ?? 'B5');
  const trim = (PAGE_FORMATS as Record<string, { trimMm: { w: number; h: number } } | undefined>)[format]?.trimMm ?? { w: 182, h: 257 };

  return (
    <div className="stack">
      <section aria-labelledby="lines-h">
        <h2 id="lines-h">{t('studio.lines')}</h2>
        <div style={{ overflowX: 'auto' }}>
          <table className="lines-table">
            <thead>
              <tr>
                <th scope="col">{t('studio.speaker')}</th>
                <th scope="col">{t('studio.kind')}</th>
                <th scope="col">{t('studio.text')}</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l, i) => (
                <LineRow key={String(l.get('id') ?? i)} line={l} cast={cast} editable={editable} />
              ))}
            </tbody>
          </table>
        </div>
        <button
          type="button"
          className="btn btn-sm"
          style={{ marginTop: 8 }}
          disabled={!editable || firstPanel === null}
          onClick={() => {
            const arr = content.get('lines');
            if (!(arr instanceof Y.Array) || firstPanel === null) return;
            arr.push([jsonToY({ id: shortId('l'), panelId: firstPanel, speakerId: null, kind: 'speech', text: '…', order: arr.length })]);
          }}
        >
          + {t('studio.addLine')}
        </button>
      </section>
      {pages.length > 0 && balloons.length > 0 ? (
        <section aria-label={t('studio.balloons')} className="row" style={{ alignItems: 'flex-start', gap: 16 }}>
          {pages.map((pg) => {
            const panels = Array.from(recs.values())
              .filter((r) => r?.kind === 'panel' && r.page === pg.key)
              .map((r) => ({ id: (r as { id: string }).id, bboxMm: (r as { bboxMm: [number, number, number, number] }).bboxMm }));
            const ids = new Set(panels.map((p) => p.id));
            return <LetteredPage key={pg.key} index={pg.index} panels={panels} balloons={balloons.filter((b) => ids.has(b.panelId))} trim={trim} />;
          })}
        </section>
      ) : null}
    </div>
  );
}

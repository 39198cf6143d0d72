'use client';
/** Phase 5: one image per panel in reading order, each regenerable on its own. */
import { useState } from 'react';
import * as Y from 'yjs';
import { canvasRecords, CANVAS_KEY, type NameCanvasEntry } from '../../../../lib/doc/canvas';
import { useI18n } from '../../../_lib/i18n';
import { phaseApi } from '../../../_lib/phase-api';
import { branchContent, readPhaseView } from '../../../_lib/studio-model';
import { useY, useYVersion } from '../../../_lib/useY';
import { assetUrl, useStudio } from '../context';
import { ErrorAlert } from '../../ErrorAlert';

interface Tile {
  panelId: string;
  assetId: string | null;
  prompt: string;
  page: number;
  order: number;
}

export function ScenesEditor({ content, editable }: { content: Y.Map<unknown>; editable: boolean }) {
  const { t } = useI18n();
  const { workDoc, projectId, quality } = useStudio();
  const docVersion = useYVersion(workDoc);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  void docVersion;
  const tiles = useY(content, (c) => {
    // Where each panel sits comes from the name phase's active branch.
    const name = readPhaseView(workDoc, 'name');
    const nameContent = branchContent(workDoc, 'name', name.activeBranchId);
    const arr = nameContent?.get(CANVAS_KEY);
    const recs = arr instanceof Y.Array ? canvasRecords(arr as Y.Array<NameCanvasEntry>) : new Map();
    const pageIdx = new Map<string, number>();
    for (const [k, r] of recs) if (r?.kind === 'page') pageIdx.set(k, r.index);
    const place = new Map<string, { page: number; order: number }>();
    for (const r of recs.values()) if (r?.kind === 'panel') place.set(r.id, { page: pageIdx.get(r.page) ?? 0, order: r.order });
    const panels = c.get('panels');
    const out: Tile[] = [];
    if (panels instanceof Y.Array) {
      for (const p of panels.toArray()) {
        if (!(p instanceof Y.Map)) continue;
        const panelId = typeof p.get('panelId') === 'string' ? (p.get('panelId') as string) : '';
        const pl = place.get(panelId) ?? { page: 0, order: out.length };
        out.push({
          panelId,
          assetId: typeof p.get('assetId') === 'string' ? (p.get('assetId') as string) : null,
          prompt: typeof p.get('prompt') === 'string' ? (p.get('prompt') as string) : '',
          ...pl,
        });
      }
    }
    return out.sort((a, b) => a.page - b.page || a.order - b.order);
  }, []);

  async function regenerate(panelId: string) {
    setBusy(panelId);
    setError(null);
    try {
      await phaseApi.run(projectId, 'scenes', { panelId });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="stack">
      <ErrorAlert error={error} />
      <ul className="panel-grid" style={{ listStyle: 'none', padding: 0, margin: 0 }}>
        {tiles.map((tile) => (
          <li key={tile.panelId} className="panel-tile" data-panel={tile.panelId}>
            <div className="img">
              {tile.assetId ? (
                <img src={assetUrl(tile.assetId, quality)} alt={tile.prompt.slice(0, 120)} loading="lazy" decoding="async" width={320} height={240} />
              ) : (
                <span>{t('studio.noImage')}</span>
              )}
            </div>
            <div className="meta">
              <span className="small">
                {t('studio.page', { n: tile.page + 1 })} · {t('studio.panel', { n: tile.order + 1 })}
              </span>
              <button
                type="button"
                className="btn btn-sm"
                disabled={!editable || busy !== null}
                onClick={() => regenerate(tile.panelId)}
              >
                ↻ {t('studio.regenerate')}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </div>
  );
}

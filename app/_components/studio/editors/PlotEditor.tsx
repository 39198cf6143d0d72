'use client';
import * as Y from 'yjs';
import { useI18n } from '../../../_lib/i18n';
import { useY } from '../../../_lib/useY';
import { jsonToY } from '../../../../lib/doc/convert';
import { blankBeat } from '../../../_lib/blank-outputs';
import { ProseEditor } from './ProseEditor';
import { YField } from './YField';

/** The plot outline (shared rich text) and its beats, each beat's fields editable in place. */
export function PlotEditor({ content, editable }: { content: Y.Map<unknown>; editable: boolean }) {
  const { t } = useI18n();
  const outline = useY(content, (c) => {
    const f = c.get('outline');
    return f instanceof Y.XmlFragment ? f : null;
  }, null);
  const beats = useY(content, (c) => {
    const b = c.get('beats');
    return b instanceof Y.Array ? (b.toArray().filter((x) => x instanceof Y.Map) as Y.Map<unknown>[]) : [];
  }, []);
  const structure = useY(content, (c) => (typeof c.get('structure') === 'string' ? (c.get('structure') as string) : ''), '');
  return (
    <div className="stack">
      {outline ? <ProseEditor fragment={outline} label={t('field.outline')} editable={editable} /> : null}
      <section className="section" aria-labelledby="beats-h">
        <h2 id="beats-h">
          {t('studio.beats')} {structure ? <span className="badge">{structure}</span> : null}
        </h2>
        <ol className="stack" style={{ paddingLeft: 20 }}>
          {beats.map((b, i) => (
            <li key={typeof b.get('id') === 'string' ? (b.get('id') as string) : i} className="card" style={{ padding: 12 }}>
              <div className="row small muted" style={{ marginBottom: 6 }}>
                <span className="badge">{String(b.get('act') ?? '')}</span>
                <span>{typeof b.get('pageBudget') === 'number' ? `${b.get('pageBudget')} p` : ''}</span>
              </div>
              <div className="fields-grid">
                <YField map={b} field="title" label={t('studio.beatTitle')} disabled={!editable} />
                <YField map={b} field="pageBudget" label={t('studio.beatPages')} disabled={!editable} type="number" />
              </div>
              <YField map={b} field="summary" label={t('studio.beatSummary')} disabled={!editable} multiline />
            </li>
          ))}
        </ol>
        <button
          type="button"
          className="btn btn-sm"
          disabled={!editable}
          onClick={() => {
            const arr = content.get('beats');
            if (arr instanceof Y.Array) arr.push([jsonToY(blankBeat(structure === 'kishotenketsu' ? 'kishotenketsu' : 'three-act'))]);
          }}
        >
          + {t('studio.addBeat')}
        </button>
      </section>
    </div>
  );
}

'use client';
import { useId } from 'react';
import * as Y from 'yjs';
import { CHARACTER_ROLES } from '../../../../schema/phases';
import { useI18n } from '../../../_lib/i18n';
import { useY } from '../../../_lib/useY';
import { jsonToY } from '../../../../lib/doc/convert';
import { blankCharacter } from '../../../_lib/blank-outputs';
import { assetUrl, useStudio } from '../context';
import { YField } from './YField';

function CharacterCard({ c, editable }: { c: Y.Map<unknown>; editable: boolean }) {
  const { t } = useI18n();
  const { quality } = useStudio();
  const roleId = useId();
  const v = useY(c, (m) => ({
    name: typeof m.get('name') === 'string' ? (m.get('name') as string) : '',
    color: typeof m.get('color') === 'string' ? (m.get('color') as string) : '#9d8fff',
    role: typeof m.get('role') === 'string' ? (m.get('role') as string) : '',
    ref: typeof m.get('referenceAssetId') === 'string' ? (m.get('referenceAssetId') as string) : null,
  }), { name: '', color: '#9d8fff', role: '', ref: null as string | null });
  return (
    <article className="char-card" style={{ '--char': v.color } as React.CSSProperties} aria-label={v.name}>
      <div className="row" style={{ marginBottom: 10, alignItems: 'flex-start' }}>
        <div style={{ width: 72, height: 96, borderRadius: 8, overflow: 'hidden', background: 'var(--surface-3)', flex: 'none' }}>
          {v.ref ? (
            <img src={assetUrl(v.ref, quality === 'ultra' ? 'high' : 'low')} alt="" width={72} height={96} loading="lazy" style={{ objectFit: 'cover', width: '100%', height: '100%' }} />
          ) : null}
        </div>
        <div className="stack" style={{ gap: 6, flex: 1, minWidth: 0 }}>
          <YField map={c} field="name" label={t('field.name')} disabled={!editable} />
          <div className="field">
            <label htmlFor={roleId}>{t('field.role')}</label>
            <select
              id={roleId}
              className="select"
              value={v.role}
              disabled={!editable}
              onChange={(e) => c.set('role', e.target.value)}
            >
              {CHARACTER_ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
        </div>
      </div>
      <div className="stack" style={{ gap: 8 }}>
        <YField map={c} field="look" label={t('field.look')} disabled={!editable} multiline />
        <YField map={c} field="personality" label={t('field.personality')} disabled={!editable} multiline />
        <YField map={c} field="speechStyle" label={t('field.speechStyle')} disabled={!editable} />
        <YField map={c} field="color" label={t('field.color')} disabled={!editable} type="color" />
      </div>
    </article>
  );
}

/** The cast as cards: every field of every character co-editable. */
export function CharactersEditor({ content, editable }: { content: Y.Map<unknown>; editable: boolean }) {
  const { t, locale } = useI18n();
  function addCharacter() {
    const arr = content.get('cast');
    if (arr instanceof Y.Array) arr.push([jsonToY(blankCharacter(locale === 'ja' ? '新しい人物' : 'New character'))]);
  }
  const cast = useY(content, (m) => {
    const a = m.get('cast');
    return a instanceof Y.Array ? (a.toArray().filter((x) => x instanceof Y.Map) as Y.Map<unknown>[]) : [];
  }, []);
  return (
    <section aria-labelledby="cast-h">
      <h2 id="cast-h" className="sr-only">
        {t('studio.cast')}
      </h2>
      <div className="row" style={{ marginBottom: 12 }}>
        <button type="button" className="btn btn-sm" disabled={!editable} onClick={addCharacter}>
          + {t('studio.addCharacter')}
        </button>
      </div>
      <div className="cards">
        {cast.map((c, i) => (
          <CharacterCard key={typeof c.get('id') === 'string' ? (c.get('id') as string) : i} c={c} editable={editable} />
        ))}
      </div>
    </section>
  );
}

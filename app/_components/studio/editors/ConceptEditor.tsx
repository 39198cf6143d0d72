'use client';
import * as Y from 'yjs';
import { useI18n } from '../../../_lib/i18n';
import { useY } from '../../../_lib/useY';
import { ProseEditor } from './ProseEditor';
import { YField } from './YField';

const FIELDS = ['logline', 'theme', 'genre', 'tone', 'world', 'setting'] as const;

export function ConceptEditor({ content, editable }: { content: Y.Map<unknown>; editable: boolean }) {
  const { t } = useI18n();
  const synopsis = useY(content, (c) => {
    const f = c.get('synopsis');
    return f instanceof Y.XmlFragment ? f : null;
  }, null);
  return (
    <div className="stack">
      <section className="section" aria-label={t('studio.structured')}>
        <div className="fields-grid">
          {FIELDS.map((f) => (
            <YField key={f} map={content} field={f} label={t(`field.${f}`)} disabled={!editable} multiline={f === 'world' || f === 'setting'} />
          ))}
          <YField map={content} field="keywords" label={t('field.keywords')} disabled={!editable} list />
        </div>
      </section>
      {synopsis ? <ProseEditor fragment={synopsis} label={t('field.synopsis')} editable={editable} /> : null}
    </div>
  );
}

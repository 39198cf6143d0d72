'use client';
/**
 * An input bound to one key of a shared Y.Map. Each keystroke is written to the doc so others
 * see it live; while focused the input shows the local draft so a remote write to the same key
 * does not move the caret mid-word (last writer wins for a short field, as Y.Map does).
 */
import { useId, useState } from 'react';
import * as Y from 'yjs';
import { useY } from '../../../_lib/useY';

function readString(map: Y.Map<unknown>, key: string): string {
  const v = map.get(key);
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (v instanceof Y.Array) return v.toArray().filter((x) => typeof x === 'string').join(', ');
  if (v instanceof Y.Text) return v.toString();
  return '';
}

export function YField({
  map,
  field,
  label,
  disabled,
  multiline,
  list,
  type = 'text',
  hideLabel,
}: {
  map: Y.Map<unknown>;
  field: string;
  label: string;
  disabled: boolean;
  multiline?: boolean;
  /** Stored as a Y.Array of strings, edited as comma-separated text. */
  list?: boolean;
  type?: 'text' | 'color' | 'number';
  /** Keep the label for assistive tech only (e.g. inside a table with a column header). */
  hideLabel?: boolean;
}) {
  const id = useId();
  const value = useY(map, (m) => readString(m, field), '');
  const [draft, setDraft] = useState<string | null>(null);

  function write(text: string) {
    map.doc?.transact(() => {
      if (list) {
        const items = text.split(/[,、]/).map((s) => s.trim()).filter(Boolean);
        const arr = new Y.Array<string>();
        arr.push(items);
        map.set(field, arr);
      } else if (type === 'number') {
        const n = Number(text);
        if (Number.isFinite(n)) map.set(field, n);
      } else {
        map.set(field, text);
      }
    });
  }

  const common = {
    id,
    className: multiline ? 'textarea' : 'input',
    value: draft ?? value,
    disabled,
    onFocus: () => setDraft(value),
    onBlur: () => {
      if (list && draft !== null) write(draft);
      setDraft(null);
    },
    onChange: (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
      setDraft(e.target.value);
      // A list is rewritten on blur: splitting on every keystroke would eat a trailing comma.
      if (!list) write(e.target.value);
    },
    'data-field': field,
  };
  return (
    <div className="field">
      <label htmlFor={id} className={hideLabel ? 'sr-only' : undefined}>
        {label}
      </label>
      {multiline ? (
        <textarea {...common} rows={3} style={{ minHeight: 72 }} />
      ) : (
        <input {...common} type={type} style={type === 'color' ? { height: 38, padding: 4 } : undefined} />
      )}
    </div>
  );
}

'use client';
/**
 * The branches of one phase (≤ 10 kept): who made each (person or agent), from what feedback,
 * when; view, adopt, pin, fork, delete; tick two to compare them side by side.
 */
import { useRef, useState } from 'react';
import type { Phase } from '../../../schema/phases';
import { contentToJson } from '../../../lib/doc/convert';
import type { BranchInfo } from '../../../lib/doc/model';
import { useI18n } from '../../_lib/i18n';
import { phaseApi } from '../../_lib/phase-api';
import { branchContent } from '../../_lib/studio-model';
import { useStudio } from './context';
import { ErrorAlert } from '../ErrorAlert';

/** A readable, stable rendering of a branch's content for the before/after view. */
function describeContent(value: unknown, indent = ''): string {
  if (Array.isArray(value)) return value.map((v) => `${indent}- ${describeContent(v, indent + '  ').trimStart()}`).join('\n');
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => (v && typeof v === 'object' ? `${indent}${k}:\n${describeContent(v, indent + '  ')}` : `${indent}${k}: ${String(v)}`))
      .join('\n');
  }
  return `${indent}${String(value)}`;
}

function CompareDialog({ phase, ids, branches, onClose }: { phase: Phase; ids: [string, string]; branches: BranchInfo[]; onClose: () => void }) {
  const { t, locale } = useI18n();
  const { workDoc } = useStudio();
  const ref = useRef<HTMLDialogElement>(null);
  const render = (id: string) => {
    const c = branchContent(workDoc, phase, id);
    return c ? describeContent(contentToJson(phase, c)) : '';
  };
  // Before = the older branch, after = the newer one, whichever was ticked first.
  const ordered = [...ids].sort((a, b) => (branches.find((x) => x.id === a)?.createdAt ?? 0) - (branches.find((x) => x.id === b)?.createdAt ?? 0));
  const texts = ordered.map(render);
  const sides = ordered.map((id, i) => ({ id, text: texts[i], other: texts[1 - i] }));
  return (
    <dialog
      ref={(el) => {
        ref.current = el;
        if (el && !el.open) el.showModal();
      }}
      onClose={onClose}
      aria-labelledby="compare-h"
    >
      <div className="row" style={{ marginBottom: 12 }}>
        <h2 id="compare-h" style={{ margin: 0 }}>
          {t('studio.compareTitle')}
        </h2>
        <span className="spacer" />
        <button type="button" className="btn btn-sm" onClick={() => ref.current?.close()} autoFocus>
          {t('common.close')}
        </button>
      </div>
      <div className="compare">
        {sides.map(({ id, text, other }, i) => {
          const b = branches.find((x) => x.id === id);
          const theirs = new Set(other.split('\n'));
          return (
            <section key={id} aria-label={t(i === 0 ? 'studio.before' : 'studio.after')}>
              <h3>
                {t(i === 0 ? 'studio.before' : 'studio.after')} · {b?.origin.name || id.slice(0, 8)}
              </h3>
              <p className="small muted">
                {b ? new Date(b.createdAt).toLocaleString(locale) : ''}
                {b?.feedback ? ` · ${t('studio.basedOnFeedback', { text: b.feedback })}` : ''}
              </p>
              <pre>
                {text.split('\n').map((line, n) => (
                  // Lines the other branch does not have are marked: what changed, at a glance.
                  <span key={n} className={theirs.has(line) ? undefined : 'diff-line'}>
                    {line}
                    {'\n'}
                  </span>
                ))}
              </pre>
            </section>
          );
        })}
      </div>
    </dialog>
  );
}

export function BranchList({
  phase,
  branches,
  viewing,
  onView,
}: {
  phase: Phase;
  branches: BranchInfo[];
  viewing: string | null;
  onView: (id: string) => void;
}) {
  const { t, locale } = useI18n();
  const { projectId, canEdit } = useStudio();
  const [picked, setPicked] = useState<string[]>([]);
  const [comparing, setComparing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function act(fn: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await fn();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  function toggle(id: string) {
    setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p.slice(-1), id]));
  }

  return (
    <section aria-labelledby="branches-h" className="section">
      <div className="row" style={{ marginBottom: 8 }}>
        <h2 id="branches-h" style={{ margin: 0 }}>
          {t('studio.branches')} <span className="muted small">({branches.length}/10)</span>
        </h2>
        <span className="spacer" />
        <button type="button" className="btn btn-sm" disabled={picked.length !== 2} onClick={() => setComparing(true)}>
          {t('studio.compare')}
        </button>
      </div>
      <ErrorAlert error={error} />
      {branches.length === 0 ? <p className="muted small">{t('studio.noBranch')}</p> : null}
      <ul className="branch-list">
        {branches.map((b) => (
          <li key={b.id} className="branch" data-active={b.active} data-branch={b.id}>
            <div className="row small">
              <input type="checkbox" checked={picked.includes(b.id)} onChange={() => toggle(b.id)} aria-label={`${t('studio.compare')}: ${b.origin.name || b.id}`} />
              <span className="badge">{b.origin.kind === 'agent' ? `✦ ${t('studio.origin.agent')}` : t('studio.origin.human')}</span>
              <strong>{b.origin.name || b.id.slice(0, 8)}</strong>
              {b.active ? <span className="badge status-badge status-approved">{t('studio.active')}</span> : null}
              {b.pinned ? <span className="badge">📌</span> : null}
              {b.state !== 'ready' ? <span className={`badge status-badge status-${b.state === 'failed' ? 'failed' : 'running'}`}>{b.state}</span> : null}
            </div>
            <div className="small muted" style={{ margin: '4px 0' }}>
              <time dateTime={new Date(b.createdAt).toISOString()}>{new Date(b.createdAt).toLocaleString(locale)}</time>
              {b.model ? ` · ${b.model}` : ''}
            </div>
            {b.feedback ? <p className="small">{t('studio.basedOnFeedback', { text: b.feedback })}</p> : null}
            <div className="row">
              <button type="button" className="btn btn-sm" aria-pressed={viewing === b.id} onClick={() => onView(b.id)}>
                {viewing === b.id ? '● ' : ''}{t('studio.view')}
              </button>
              <button type="button" className="btn btn-sm" disabled={!canEdit || busy || b.active} onClick={() => act(() => phaseApi.adopt(projectId, phase, b.id))}>
                {t('studio.adopt')}
              </button>
              <button type="button" className="btn btn-sm" disabled={!canEdit || busy} onClick={() => act(() => phaseApi.pin(projectId, phase, b.id, !b.pinned))}>
                {b.pinned ? t('studio.unpin') : t('studio.pin')}
              </button>
              <button type="button" className="btn btn-sm" disabled={!canEdit || busy} onClick={() => act(() => phaseApi.fork(projectId, phase, b.id))}>
                {t('studio.fork')}
              </button>
              <button
                type="button"
                className="btn btn-sm btn-danger"
                disabled={!canEdit || busy || b.active || b.pinned}
                onClick={() => act(() => phaseApi.deleteBranch(projectId, phase, b.id))}
              >
                {t('common.delete')}
              </button>
            </div>
          </li>
        ))}
      </ul>
      {comparing && picked.length === 2 ? (
        <CompareDialog phase={phase} ids={[picked[0], picked[1]]} branches={branches} onClose={() => setComparing(false)} />
      ) : null}
    </section>
  );
}

'use client';
/**
 * Review threads of the current phase, in the review doc (reviewers may write there even
 * though the work is read-only for them): anchored to the phase, the viewed branch or a panel;
 * replies; resolve/reopen. Approvals are shown next to them.
 */
import { useId, useState, type FormEvent } from 'react';
import * as Y from 'yjs';
import type { Phase } from '../../../schema/phases';
import { CANVAS_KEY, canvasRecords, type NameCanvasEntry } from '../../../lib/doc/canvas';
import { DocError } from '../../../lib/doc/model';
import { createThread, listApprovals, listThreads, reopenThread, replyToThread, resolveThread, type ReviewThread } from '../../../lib/doc/review-doc';
import { useI18n } from '../../_lib/i18n';
import { branchContent, readPhaseView } from '../../_lib/studio-model';
import { useY, useYVersion } from '../../_lib/useY';
import { Avatar, colorFor } from '../Avatar';
import { ErrorAlert } from '../ErrorAlert';
import { useStudio } from './context';

type AnchorKind = 'phase' | 'branch' | 'panel';

function usePanels(): Array<{ id: string; label: string }> {
  const { workDoc } = useStudio();
  const { t } = useI18n();
  useYVersion(workDoc);
  const name = readPhaseView(workDoc, 'name');
  const arr = branchContent(workDoc, 'name', name.activeBranchId)?.get(CANVAS_KEY);
  if (!(arr instanceof Y.Array)) return [];
  const recs = canvasRecords(arr as Y.Array<NameCanvasEntry>);
  const pageIdx = new Map<string, number>();
  for (const [k, r] of recs) if (r?.kind === 'page') pageIdx.set(k, r.index);
  const out: Array<{ id: string; label: string; sort: number }> = [];
  for (const r of recs.values()) {
    if (r?.kind !== 'panel') continue;
    const p = pageIdx.get(r.page) ?? 0;
    out.push({ id: r.id, label: `${t('studio.page', { n: p + 1 })} · ${t('studio.panel', { n: r.order + 1 })}`, sort: p * 100 + r.order });
  }
  return out.sort((a, b) => a.sort - b.sort);
}

function Thread({ th, canComment, panelLabel }: { th: ReviewThread; canComment: boolean; panelLabel: (id: string) => string }) {
  const { t, locale } = useI18n();
  const { reviewDoc, user } = useStudio();
  const [reply, setReply] = useState('');
  const [error, setError] = useState<string | null>(null);
  const rid = useId();
  const me = { id: user.id, name: user.name };
  function onReply(e: FormEvent) {
    e.preventDefault();
    try {
      replyToThread(reviewDoc, th.id, { author: me, text: reply });
      setReply('');
      setError(null);
    } catch (err) {
      setError(err instanceof DocError ? err.message : t('common.error'));
    }
  }
  const anchor = th.anchor.panelId ? panelLabel(th.anchor.panelId) : th.anchor.branchId ? t('studio.anchor.branch') : t('studio.anchor.phase');
  return (
    <li className="thread" data-thread={th.id} data-resolved={th.resolved}>
      <div className="row small muted">
        <span className="badge">{anchor}</span>
        {th.resolved ? <span className="badge status-badge status-approved">{t('studio.resolved')}</span> : null}
        <span className="spacer" />
        <button
          type="button"
          className="btn btn-sm btn-ghost"
          disabled={!canComment}
          onClick={() => (th.resolved ? reopenThread(reviewDoc, th.id) : resolveThread(reviewDoc, th.id, me))}
        >
          {th.resolved ? '↺' : `✓ ${t('studio.resolve')}`}
        </button>
      </div>
      {th.comments.map((c) => (
        <div key={c.id} className="comment" data-resolved={th.resolved}>
          <div className="row small">
            <Avatar name={c.author.name} color={colorFor(c.author.id)} />
            <strong>{c.author.name}</strong>
            <time className="muted" dateTime={new Date(c.createdAt).toISOString()}>
              {new Date(c.createdAt).toLocaleString(locale)}
            </time>
          </div>
          <p style={{ margin: '4px 0 0', whiteSpace: 'pre-wrap' }}>{c.text}</p>
        </div>
      ))}
      {canComment && !th.resolved ? (
        <form className="row" onSubmit={onReply} style={{ marginTop: 6 }}>
          <label htmlFor={rid} className="sr-only">
            {t('studio.reply')}
          </label>
          <input id={rid} className="input" style={{ flex: 1 }} value={reply} onChange={(e) => setReply(e.target.value)} placeholder={t('studio.reply')} />
          <button type="submit" className="btn btn-sm" disabled={!reply.trim()}>
            {t('studio.reply')}
          </button>
        </form>
      ) : null}
      <ErrorAlert error={error} inline />
    </li>
  );
}

export function CommentsPanel({ phase, viewing }: { phase: Phase; viewing: string | null }) {
  const { t, locale } = useI18n();
  const { reviewDoc, user, canComment } = useStudio();
  const threads = useY(reviewDoc, (d) => listThreads(d, { phase }), [] as ReviewThread[]);
  const approvals = useY(reviewDoc, (d) => listApprovals(d, { phase }), []);
  const panels = usePanels();
  const [kind, setKind] = useState<AnchorKind>('phase');
  const [panelId, setPanelId] = useState('');
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const tid = useId();

  function onPost(e: FormEvent) {
    e.preventDefault();
    try {
      createThread(reviewDoc, {
        anchor: { phase, branchId: kind === 'phase' ? null : viewing, panelId: kind === 'panel' ? panelId || null : null },
        author: { id: user.id, name: user.name },
        text,
      });
      setText('');
      setError(null);
    } catch (err) {
      setError(err instanceof DocError ? err.message : t('common.error'));
    }
  }

  return (
    <section aria-labelledby="comments-h" className="section">
      <h2 id="comments-h">{t('studio.comments')}</h2>
      {approvals.length > 0 ? (
        <ul className="stack small" style={{ listStyle: 'none', padding: 0, gap: 4, marginBottom: 10 }}>
          {approvals.map((a) => (
            <li key={`${a.by.id}`} className="badge status-badge status-approved">
              ✓ {a.by.name} · {new Date(a.at).toLocaleString(locale)}
            </li>
          ))}
        </ul>
      ) : null}
      {canComment ? (
        <form className="stack card" style={{ padding: 12, gap: 8, marginBottom: 12 }} onSubmit={onPost}>
          <label htmlFor={tid} className="label">
            {t('studio.addComment')}
          </label>
          <textarea id={tid} className="textarea" style={{ minHeight: 60 }} value={text} onChange={(e) => setText(e.target.value)} data-testid="comment-input" />
          <div className="row">
            <select className="select" style={{ width: 'auto' }} value={kind} onChange={(e) => setKind(e.target.value as AnchorKind)} aria-label={t('studio.anchor')}>
              <option value="phase">{t('studio.anchor.phase')}</option>
              <option value="branch" disabled={!viewing}>
                {t('studio.anchor.branch')}
              </option>
              <option value="panel" disabled={!viewing || panels.length === 0}>
                {t('studio.anchor.panel', { n: '…' })}
              </option>
            </select>
            {kind === 'panel' ? (
              <select className="select" style={{ width: 'auto' }} value={panelId} onChange={(e) => setPanelId(e.target.value)} aria-label={t('studio.panel', { n: '' })}>
                <option value="">—</option>
                {panels.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.label}
                  </option>
                ))}
              </select>
            ) : null}
            <span className="spacer" />
            <button type="submit" className="btn btn-sm btn-primary" disabled={!text.trim() || (kind === 'panel' && !panelId)} data-testid="comment-post">
              {t('studio.post')}
            </button>
          </div>
          <ErrorAlert error={error} inline />
        </form>
      ) : null}
      {threads.length === 0 ? <p className="muted small">{t('studio.noComments')}</p> : null}
      <ul style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="threads">
        {threads.map((th) => (
          <Thread key={th.id} th={th} canComment={canComment} panelLabel={(id) => panels.find((p) => p.id === id)?.label ?? id} />
        ))}
      </ul>
    </section>
  );
}

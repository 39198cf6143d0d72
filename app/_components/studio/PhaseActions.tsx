'use client';
/**
 * Human-in-the-loop controls of one phase: run / re-run with feedback, skip, go back, approve,
 * run the rest automatically, cancel a running job. Controls a role may not use are disabled
 * (never shown as enabled only to fail).
 */
import { useId, useState, type FormEvent } from 'react';
import { PHASES, type Phase } from '../../../schema/phases';
import { useI18n } from '../../_lib/i18n';
import { phaseApi } from '../../_lib/phase-api';
import type { PhaseView } from '../../_lib/studio-model';
import { useStudio } from './context';
import { ErrorAlert } from '../ErrorAlert';

export function PhaseActions({ view, viewing }: { view: PhaseView; viewing: string | null }) {
  const { t } = useI18n();
  const { projectId, canEdit, canApprove } = useStudio();
  const [feedback, setFeedback] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const fid = useId();
  const phase: Phase = view.phase;
  const running = view.status === 'running' || view.status === 'queued';
  const hasBranch = view.branches.length > 0;
  const last = PHASES.indexOf(phase) === PHASES.length - 1;

  async function act(fn: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (e) {
      setError(e);
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function onRun(e: FormEvent) {
    e.preventDefault();
    const body = feedback.trim() ? { feedback: feedback.trim(), ...(viewing ? { fromBranchId: viewing } : {}) } : {};
    if (await act(() => phaseApi.run(projectId, phase, body))) setFeedback('');
  }

  return (
    <div className="stack" style={{ gap: 10 }}>
      <form className="card stack" style={{ padding: 14, gap: 8 }} onSubmit={onRun}>
        <label htmlFor={fid} className="label">
          {t('studio.feedback')}
        </label>
        <textarea
          id={fid}
          className="textarea"
          style={{ minHeight: 64 }}
          value={feedback}
          onChange={(e) => setFeedback(e.target.value)}
          disabled={!canEdit}
          maxLength={5000}
          aria-describedby={`${fid}-hint`}
          data-testid="feedback"
        />
        <span className="hint" id={`${fid}-hint`}>
          {t('studio.feedbackHint')}
        </span>
        <div className="row">
          <button type="submit" className="btn btn-accent" disabled={!canEdit || busy || running} data-testid="run">
            ✦ {hasBranch && feedback.trim() ? t('studio.rerun') : t('studio.run')}
          </button>
          {running && view.run?.jobId ? (
            <button type="button" className="btn btn-danger" disabled={!canEdit || busy} onClick={() => act(() => phaseApi.cancelJob(view.run!.jobId!))}>
              {t('studio.cancelRun')}
            </button>
          ) : null}
        </div>
      </form>
      <div className="row">
        <button type="button" className="btn btn-sm" disabled={!canEdit || busy || running || view.status === 'skipped'} onClick={() => act(() => phaseApi.skip(projectId, phase))}>
          ⤼ {t('studio.skip')}
        </button>
        <button
          type="button"
          className="btn btn-sm"
          disabled={!canEdit || busy || running || !(view.status === 'approved' || view.status === 'skipped' || view.status === 'review' || view.status === 'stale')}
          onClick={() => act(() => phaseApi.reopen(projectId, phase))}
        >
          ↺ {t('studio.reopen')}
        </button>
        <button
          type="button"
          className="btn btn-sm"
          disabled={!canApprove || busy || !view.activeBranchId || view.status === 'approved' || running}
          onClick={() => act(() => phaseApi.approve(projectId, phase, view.activeBranchId))}
          data-testid="approve"
        >
          ✓ {t('studio.approve')}
        </button>
        {!last ? (
          <button type="button" className="btn btn-sm" disabled={!canEdit || busy} onClick={() => act(() => phaseApi.pipeline(projectId, phase))}>
            » {t('studio.runAll')}
          </button>
        ) : null}
      </div>
      <ErrorAlert error={error} />
    </div>
  );
}

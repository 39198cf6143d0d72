'use client';
/** One phase: its state and notices, and the editor made for it, bound to the viewed branch. */
import dynamic from 'next/dynamic';
import { useState } from 'react';
import type { Phase } from '../../../schema/phases';
import { createBranch } from '../../../lib/doc/branches';
import { DocError } from '../../../lib/doc/model';
import { activeBasedOn, adoptBranch } from '../../../lib/doc/phase-state';
import { blankOutput, HAND_PHASES, type HandPhase } from '../../_lib/blank-outputs';
import { useI18n } from '../../_lib/i18n';
import type { Presence } from '../../_lib/presence';
import { branchContent, readMeta, type PhaseView } from '../../_lib/studio-model';
import { useYVersion } from '../../_lib/useY';
import { Avatar } from '../Avatar';
import { useStudio } from './context';
import { PHASES } from '../../../schema/phases';
import { StatusBadge } from './PhaseRail';
import { ErrorAlert } from '../ErrorAlert';
import { StaleNotice } from './StaleNotice';

/**
 * Each phase's editor is its own chunk, loaded when its phase is shown: Tiptap (concept, plot)
 * and tldraw (name) are most of the studio's JavaScript, and a phone opening the finished book
 * should not download, parse and run them.
 */
const LOADERS = {
  concept: () => import('./editors/ConceptEditor').then((m) => m.ConceptEditor),
  characters: () => import('./editors/CharactersEditor').then((m) => m.CharactersEditor),
  plot: () => import('./editors/PlotEditor').then((m) => m.PlotEditor),
  name: () => import('./editors/NameEditor').then((m) => m.NameEditor),
  scenes: () => import('./editors/ScenesEditor').then((m) => m.ScenesEditor),
  dialogue: () => import('./editors/DialogueEditor').then((m) => m.DialogueEditor),
  final: () => import('./editors/FinalViewer').then((m) => m.FinalViewer),
};

function EditorLoading() {
  const { t } = useI18n();
  // A screen tall: on a phone the branches and comments panel comes after the editor, and must
  // stay below the fold until the editor arrives rather than be seen and then pushed down (CLS).
  return (
    <p className="muted" role="status" style={{ minHeight: '100dvh' }}>
      {t('common.loading')}
    </p>
  );
}

const ConceptEditor = dynamic(LOADERS.concept, { loading: EditorLoading });
const CharactersEditor = dynamic(LOADERS.characters, { loading: EditorLoading });
const PlotEditor = dynamic(LOADERS.plot, { loading: EditorLoading });
const NameEditor = dynamic(LOADERS.name, { loading: EditorLoading });
const ScenesEditor = dynamic(LOADERS.scenes, { loading: EditorLoading });
const DialogueEditor = dynamic(LOADERS.dialogue, { loading: EditorLoading });
const FinalViewer = dynamic(LOADERS.final, { loading: EditorLoading });

// The studio opens on the phase named in the URL (concept otherwise, as Studio.tsx does): start
// that editor's download together with the studio's own code rather than after the document
// has synced.
if (typeof window !== 'undefined') {
  const first = window.location.hash.slice(1);
  void LOADERS[(PHASES as readonly string[]).includes(first) ? (first as Phase) : 'concept']();
}

function Editor({ phase, content, editable }: { phase: Phase; content: import('yjs').Map<unknown>; editable: boolean }) {
  switch (phase) {
    case 'concept':
      return <ConceptEditor content={content} editable={editable} />;
    case 'characters':
      return <CharactersEditor content={content} editable={editable} />;
    case 'plot':
      return <PlotEditor content={content} editable={editable} />;
    case 'name':
      return <NameEditor content={content} editable={editable} />;
    case 'scenes':
      return <ScenesEditor content={content} editable={editable} />;
    case 'dialogue':
      return <DialogueEditor content={content} editable={editable} />;
    case 'final':
      return <FinalViewer content={content} />;
  }
}

/** No branch yet: say so, and let an editor start the phase by hand instead of running the agent. */
function StartByHand({ phase }: { phase: Phase }) {
  const { t } = useI18n();
  const { workDoc, canEdit, user } = useStudio();
  const [error, setError] = useState<string | null>(null);
  const possible = HAND_PHASES.includes(phase);
  function start() {
    try {
      const meta = readMeta(workDoc);
      const { branch } = createBranch(workDoc, phase, {
        origin: { kind: 'human', id: user.id, name: user.name },
        basedOn: activeBasedOn(workDoc, phase),
        content: blankOutput(phase as HandPhase, meta),
        state: 'ready',
      });
      adoptBranch(workDoc, phase, branch.id);
    } catch (e) {
      setError(e instanceof DocError ? e.message : t('common.error'));
    }
  }
  return (
    <div className="notice stack" style={{ gap: 8 }}>
      <p style={{ margin: 0 }}>{t(possible ? 'studio.noBranch' : 'studio.noBranchAgent')}</p>
      {possible ? (
        <div>
          <button type="button" className="btn" disabled={!canEdit} onClick={start} data-testid="start-by-hand">
            ✎ {t('studio.startByHand')}
          </button>
        </div>
      ) : null}
      <ErrorAlert error={error} inline />
    </div>
  );
}

export function PhaseWorkspace({ view, viewing, presence }: { view: PhaseView; viewing: string | null; presence: Presence[] }) {
  const { t } = useI18n();
  const { workDoc, canEdit, role } = useStudio();
  useYVersion(workDoc);
  const content = branchContent(workDoc, view.phase, viewing);
  const branch = view.branches.find((b) => b.id === viewing) ?? null;
  const agents = presence.filter((p) => p.kind === 'agent' && p.phase === view.phase);
  const running = view.status === 'running' || view.status === 'queued';
  // An agent still writing a branch owns it until it is done; people edit it afterwards.
  const editable = canEdit && branch?.state !== 'generating';

  return (
    <div>
      <header className="phase-head">
        <h1 id="phase-title">{t(`phase.${view.phase}`)}</h1>
        <StatusBadge status={view.status} />
        {branch ? (
          <span className="small muted">
            {branch.origin.kind === 'agent' ? '✦ ' : ''}
            {branch.origin.name}
            {branch.active ? ` · ${t('studio.active')}` : ''}
          </span>
        ) : null}
        {view.approval ? (
          <span className="badge status-badge status-approved" data-testid="approval">
            ✓ {t('studio.approvedBy', { name: view.approval.by.name })}
          </span>
        ) : null}
      </header>
      {role === 'viewer' || role === 'reviewer' ? (
        <p className="notice small" style={{ marginBottom: 12 }}>
          {t('studio.readOnly', { role: t(`role.${role}`) })} {role === 'reviewer' ? t('studio.reviewerNote') : ''}
        </p>
      ) : null}
      {running ? (
        <div className="notice" style={{ marginBottom: 12 }} data-testid="run-state">
          <div className="row small">
            {agents.map((a) => (
              <Avatar key={a.clientId} name="✦" color={a.color} title={a.name} />
            ))}
            <strong>{view.run?.agentName ?? agents[0]?.name ?? t(`status.${view.status}`)}</strong>
            <span className="muted">{view.run?.message ?? agents[0]?.activity ?? ''}</span>
            <span className="spacer" />
            <span>{view.run?.progress != null ? `${Math.round(view.run.progress * 100)}%` : ''}</span>
          </div>
          <div
            className="progress"
            style={{ marginTop: 8 }}
            role="progressbar"
            aria-label={t('studio.progress')}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={view.run?.progress != null ? Math.round(view.run.progress * 100) : undefined}
          >
            <span style={{ width: `${Math.round((view.run?.progress ?? 0.03) * 100)}%` }} />
          </div>
        </div>
      ) : null}
      {view.status === 'stale' ? <StaleNotice view={view} /> : null}
      {view.status === 'failed' ? (
        <p className="alert" style={{ marginBottom: 12 }}>
          {t('studio.failedNotice', { message: (view.statusReason ?? '').replace(/^last run failed:\s*/i, '') })}
        </p>
      ) : null}
      {content ? (
        <Editor key={`${view.phase}:${viewing}`} phase={view.phase} content={content} editable={editable} />
      ) : (
        <StartByHand phase={view.phase} />
      )}
    </div>
  );
}

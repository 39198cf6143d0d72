'use client';
/**
 * The studio: connects to the project's docs, then lays out the phase rail, the editor of the
 * current phase, and the side column (HITL actions, branches, review). Everything on screen is
 * derived from the shared docs, so what one person or agent does appears for everyone.
 */
import Link from 'next/link';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { PHASES, type Phase } from '../../../schema/phases';
import { QUALITY_LEVELS, type QualityLevel } from '../../../lib/engine/types';
import { useCollab, useConnection, usePresence } from '../../_lib/collab';
import { installOfflineShell } from '../../_lib/offline';
import { useI18n } from '../../_lib/i18n';
import { useSession } from '../../_lib/session';
import { readAllPhases, readMeta, type PhaseView } from '../../_lib/studio-model';
import { useY } from '../../_lib/useY';
import { colorFor } from '../Avatar';
import { ErrorAlert } from '../ErrorAlert';
import { BranchList } from './BranchList';
import { CommentsPanel } from './CommentsPanel';
import { ConnectionBadge } from './ConnectionBadge';
import { permissions, StudioContext, type StudioContextValue, type StudioUser } from './context';
import { PhaseActions } from './PhaseActions';
import { PhaseRail } from './PhaseRail';
import { PhaseWorkspace } from './PhaseWorkspace';
import { PresenceAvatars } from './PresenceAvatars';
import { adaptiveQuality, storedQuality, storeQuality } from './quality';

function phaseFromHash(): Phase | null {
  if (typeof window === 'undefined') return null;
  const h = window.location.hash.slice(1);
  return (PHASES as readonly string[]).includes(h) ? (h as Phase) : null;
}

/** Horizontal swipes on the work area change phase on phones (not on the canvas, which pans). */
function useSwipe(onSwipe: (dir: 1 | -1) => void) {
  const start = useRef<{ x: number; y: number; ignore: boolean } | null>(null);
  return {
    onTouchStart: (e: React.TouchEvent) => {
      const t = e.touches[0];
      const target = e.target as HTMLElement;
      start.current = { x: t.clientX, y: t.clientY, ignore: !!target.closest('.canvas-wrap, input, textarea, select, .ProseMirror') };
    },
    onTouchEnd: (e: React.TouchEvent) => {
      const s = start.current;
      start.current = null;
      if (!s || s.ignore || window.innerWidth >= 768) return;
      const t = e.changedTouches[0];
      const dx = t.clientX - s.x;
      const dy = t.clientY - s.y;
      if (Math.abs(dx) > 70 && Math.abs(dx) > Math.abs(dy) * 1.5) onSwipe(dx < 0 ? 1 : -1);
    },
  };
}

export function Studio({ projectId }: { projectId: string }) {
  const { t } = useI18n();
  const auth = useSession();
  const { session, error } = useCollab(projectId, auth?.user?.id ?? null);
  const providers = useMemo(() => (session ? [session.work.provider, session.review.provider] : []), [session]);
  const conn = useConnection(providers, session?.pending);
  const [offlineReady, setOfflineReady] = useState(false);

  // Make this page open again without a network (its edits are kept in IndexedDB).
  useEffect(() => {
    let live = true;
    void installOfflineShell().then((ok) => live && setOfflineReady(ok));
    return () => {
      live = false;
    };
  }, [projectId]);

  if (error) {
    return (
      <main id="main" className="page">
        <ErrorAlert error={error} />
        <p>
          <Link href="/projects">← {t('nav.projects')}</Link>
        </p>
      </main>
    );
  }
  if (!session || !auth) {
    return (
      <main id="main" className="page muted" role="status">
        {t('common.loading')}
      </main>
    );
  }
  const user: StudioUser = {
    id: auth.user?.id ?? 'me',
    name: auth.user?.name ?? auth.user?.email ?? 'Me',
    color: colorFor(auth.user?.id ?? 'me'),
    kind: 'human',
  };
  return <StudioConnected projectId={projectId} session={session} user={user} conn={conn} offlineReady={offlineReady} />;
}

function StudioConnected({
  projectId,
  session,
  user,
  conn,
  offlineReady,
}: {
  projectId: string;
  session: NonNullable<ReturnType<typeof useCollab>['session']>;
  user: StudioUser;
  conn: ReturnType<typeof useConnection>;
  offlineReady: boolean;
}) {
  const { t } = useI18n();
  const workDoc = session.work.doc;
  const phases = useY(workDoc, (d) => readAllPhases(d), null as Record<Phase, PhaseView> | null);
  const meta = useY(workDoc, (d) => readMeta(d), readMeta(workDoc));
  const presence = usePresence(session.work.provider);
  const [phase, setPhaseState] = useState<Phase>(() => phaseFromHash() ?? 'concept');
  const [viewingByPhase, setViewing] = useState<Partial<Record<Phase, string>>>({});
  const [quality, setQualityState] = useState<QualityLevel>('medium');
  const [qualityChosen, setQualityChosen] = useState(false);

  useEffect(() => {
    const stored = storedQuality();
    setQualityState(stored ?? adaptiveQuality());
    setQualityChosen(stored !== null);
  }, []);

  // Links and back/forward that only change #phase select that phase.
  useEffect(() => {
    const onHash = () => {
      const p = phaseFromHash();
      if (p) setPhaseState(p);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);

  const setPhase = useCallback((p: Phase) => {
    setPhaseState(p);
    window.history.replaceState(null, '', `#${p}`);
  }, []);

  // Presence: who I am (carets use the same `user`) and where I am.
  useEffect(() => {
    session.work.provider.setAwarenessField('user', user);
    session.work.provider.setAwarenessField('phase', phase);
    session.review.provider.setAwarenessField('user', user);
  }, [session, user.id, user.name, user.color, phase]); // eslint-disable-line react-hooks/exhaustive-deps

  const swipe = useSwipe((dir) => {
    const i = PHASES.indexOf(phase) + dir;
    if (i >= 0 && i < PHASES.length) setPhase(PHASES[i]);
  });

  const ctx: StudioContextValue = useMemo(
    () => ({
      projectId,
      role: session.role,
      user,
      workDoc,
      reviewDoc: session.review.doc,
      workProvider: session.work.provider,
      reviewProvider: session.review.provider,
      ...permissions(session.role),
      quality,
      readingDirection: meta.readingDirection,
      language: meta.language,
    }),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [projectId, session, user.id, user.name, quality, meta.readingDirection, meta.language],
  );

  if (!conn.synced && !phases?.concept.branches.length && conn.state !== 'offline' && conn.state !== 'reconnecting' && !meta.title) {
    return (
      <main id="main" className="page muted" role="status">
        {t('conn.connecting')}
      </main>
    );
  }
  if (!phases) return null;
  const view = phases[phase];
  // While an agent writes a branch, show that branch so people watch the text arrive; else the active one.
  const streaming = (view.status === 'running' && view.run?.branchId && view.branches.some((b) => b.id === view.run?.branchId) ? view.run.branchId : null) ?? null;
  const viewing = viewingByPhase[phase] ?? streaming ?? view.activeBranchId ?? view.branches[0]?.id ?? null;

  return (
    <StudioContext.Provider value={ctx}>
      <div className="studio" data-role={session.role} data-offline-ready={offlineReady}>
        <div className="studio-bar">
          <strong style={{ fontSize: '1.05rem' }}>{meta.title || '…'}</strong>
          <span className="badge">{t(`role.${session.role}`)}</span>
          <ConnectionBadge state={conn.state} unsynced={conn.unsynced} />
          <span className="spacer" />
          <PresenceAvatars people={presence} />
          <label className="row small">
            <span>{t('studio.quality')}</span>
            <select
              className="select"
              style={{ width: 'auto', padding: '4px 8px' }}
              value={qualityChosen ? quality : 'auto'}
              onChange={(e) => {
                const v = e.target.value;
                if (v === 'auto') {
                  storeQuality(null);
                  setQualityChosen(false);
                  setQualityState(adaptiveQuality());
                } else {
                  storeQuality(v as QualityLevel);
                  setQualityChosen(true);
                  setQualityState(v as QualityLevel);
                }
              }}
            >
              <option value="auto">{t('studio.qualityAuto', { level: adaptiveQuality() })}</option>
              {QUALITY_LEVELS.map((q) => (
                <option key={q} value={q}>
                  {q}
                </option>
              ))}
            </select>
          </label>
          <Link className="btn btn-sm" href={`/projects/${projectId}/settings`}>
            {t('nav.settings')}
          </Link>
        </div>
        <PhaseRail phases={phases} current={phase} onSelect={setPhase} presence={presence} />
        <main id="main" className="studio-main" aria-labelledby="phase-title" {...swipe}>
          <p className="mobile-only hint">{t('studio.swipeHint')}</p>
          <PhaseWorkspace view={view} viewing={viewing} presence={presence} />
        </main>
        <aside className="studio-side" aria-label={`${t('studio.branches')} · ${t('studio.comments')}`}>
          <PhaseActions view={view} viewing={viewing} />
          <BranchList phase={phase} branches={view.branches} viewing={viewing} onView={(id) => setViewing((v) => ({ ...v, [phase]: id }))} />
          <CommentsPanel phase={phase} viewing={viewing} />
        </aside>
      </div>
    </StudioContext.Provider>
  );
}

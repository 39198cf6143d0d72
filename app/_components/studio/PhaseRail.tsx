'use client';
import { useEffect } from 'react';
import { PHASES, type Phase } from '../../../schema/phases';
import { useI18n } from '../../_lib/i18n';
import type { Presence } from '../../_lib/presence';
import type { PhaseView } from '../../_lib/studio-model';
import { Avatar } from '../Avatar';

export function StatusBadge({ status }: { status: PhaseView['status'] }) {
  const { t } = useI18n();
  return (
    <span className={`badge status-badge status-${status}`} data-status={status}>
      <span className="dot" aria-hidden="true" />
      {t(`status.${status}`)}
    </span>
  );
}

/**
 * The seven phases with their status, a live progress bar for a running agent and who is on
 * each phase. Arrow keys move between phases (one tab stop for the whole rail).
 */
export function PhaseRail({
  phases,
  current,
  onSelect,
  presence,
}: {
  phases: Record<Phase, PhaseView>;
  current: Phase;
  onSelect: (p: Phase) => void;
  presence: Presence[];
}) {
  const { t } = useI18n();
  // On phones the rail is a horizontal strip: keep the current phase in view after a swipe.
  useEffect(() => {
    document.getElementById(`rail-${current}`)?.scrollIntoView({ block: 'nearest', inline: 'center' });
  }, [current]);
  function onKeyDown(e: React.KeyboardEvent, index: number) {
    const delta = e.key === 'ArrowDown' || e.key === 'ArrowRight' ? 1 : e.key === 'ArrowUp' || e.key === 'ArrowLeft' ? -1 : 0;
    if (!delta) return;
    e.preventDefault();
    const next = PHASES[(index + delta + PHASES.length) % PHASES.length];
    onSelect(next);
    document.getElementById(`rail-${next}`)?.focus();
  }
  return (
    <nav className="studio-rail" aria-label={t('studio.phases')}>
      <ol className="rail-list">
        {PHASES.map((phase, i) => {
          const v = phases[phase];
          const here = presence.filter((p) => p.phase === phase);
          const running = v.status === 'running' || v.status === 'queued';
          const progress = v.run?.progress ?? here.find((p) => p.kind === 'agent')?.progress ?? null;
          return (
            <li key={phase}>
              <button
                id={`rail-${phase}`}
                type="button"
                className={`rail-item status-${v.status}`}
                aria-current={phase === current ? 'step' : undefined}
                tabIndex={phase === current ? 0 : -1}
                onClick={() => onSelect(phase)}
                onKeyDown={(e) => onKeyDown(e, i)}
                data-testid={`rail-${phase}`}
                data-status={v.status}
              >
                <span className="rail-num" style={{ color: 'var(--c)' }}>
                  {i + 1}
                </span>
                <span className="rail-name">{t(`phase.${phase}`)}</span>
                <span className="rail-meta">
                  <span className="dot" style={{ background: 'var(--c)' }} aria-hidden="true" />
                  <span>{t(`status.${v.status}`)}</span>
                  {here.length > 0 ? (
                    <span className="avatars" style={{ transform: 'scale(.8)', transformOrigin: 'left center' }}>
                      {here.slice(0, 4).map((p) => (
                        <Avatar key={p.clientId} name={p.kind === 'agent' ? '✦' : p.name} color={p.color} title={p.name} />
                      ))}
                    </span>
                  ) : null}
                </span>
                {running ? (
                  <span
                    className="progress"
                    role="progressbar"
                    aria-label={`${t(`phase.${phase}`)} ${t('studio.progress')}`}
                    aria-valuemin={0}
                    aria-valuemax={100}
                    aria-valuenow={progress === null ? undefined : Math.round(progress * 100)}
                  >
                    <span style={{ width: `${Math.round((progress ?? 0.03) * 100)}%` }} />
                  </span>
                ) : null}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}

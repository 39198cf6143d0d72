'use client';
/**
 * Why a phase is stale, concretely: for each upstream phase, whether its adopted branch changed
 * (from which branch — who made it, when, from what feedback — to which), whether someone went
 * back to it, or whether it is itself stale. People decide to re-run or keep from this.
 */
import type { StaleReason } from '../../../lib/doc/model';
import type { Phase } from '../../../schema/phases';
import { useI18n } from '../../_lib/i18n';
import type { BranchInfo } from '../../../lib/doc/model';
import { readPhaseView, type PhaseView } from '../../_lib/studio-model';
import { useStudio } from './context';

export function StaleNotice({ view }: { view: PhaseView }) {
  const { t, locale } = useI18n();
  const { workDoc } = useStudio();
  const phaseName = (p: Phase) => t(`phase.${p}`);
  const label = (b: BranchInfo | undefined, id: string | null) => {
    if (!b) return id ? id.slice(0, 8) : t('studio.staleNone');
    const when = new Date(b.createdAt).toLocaleString(locale);
    return `${b.origin.name || b.id.slice(0, 8)} · ${when}${b.feedback ? ` · “${b.feedback}”` : ''}`;
  };
  const detail = (r: StaleReason): string => {
    if (r.kind === 'reopened') return t('studio.staleReopened', { phase: phaseName(r.upstream) });
    if (r.kind === 'upstream-stale') return t('studio.staleUpstream', { phase: phaseName(r.upstream) });
    const branches = readPhaseView(workDoc, r.upstream).branches;
    return t('studio.staleChanged', {
      phase: phaseName(r.upstream),
      was: label(branches.find((b) => b.id === r.builtOn), r.builtOn),
      now: label(branches.find((b) => b.id === r.activeNow), r.activeNow),
    });
  };
  return (
    <div className="notice notice-stale" role="status" style={{ marginBottom: 12 }}>
      <p style={{ margin: 0 }}>
        {t('studio.staleNotice', {
          phases: Array.from(new Set(view.staleFrom.map((r) => phaseName(r.upstream)))).join(', ') || (view.statusReason ?? ''),
        })}
      </p>
      {view.staleFrom.length > 0 ? (
        <ul className="small" style={{ margin: '6px 0 0' }} data-testid="stale-reasons">
          {view.staleFrom.map((r, i) => (
            <li key={i}>{detail(r)}</li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

'use client';
import type { Presence } from '../../_lib/presence';
import { useI18n } from '../../_lib/i18n';
import { Avatar } from '../Avatar';

/** Who is in the project now; agents are marked so nobody mistakes them for a person. */
export function PresenceAvatars({ people }: { people: Presence[] }) {
  const { t } = useI18n();
  if (people.length === 0) return null;
  return (
    <span className="row small" aria-label={t('studio.here')}>
      <span className="avatars">
        {people.slice(0, 8).map((p) => {
          const title = `${p.name}${p.self ? ` (${t('common.you')})` : ''}${p.kind === 'agent' ? ' · AI' : ''}${
            p.phase ? ` · ${t(`phase.${p.phase}`)}` : ''
          }`;
          return <Avatar key={p.clientId} name={p.kind === 'agent' ? '✦' + p.name : p.name} color={p.color} title={title} />;
        })}
      </span>
      {people.length > 8 ? <span className="muted">+{people.length - 8}</span> : null}
      {/* Agents at work, spelled out: which one, on which phase, how far, doing what. */}
      {people
        .filter((p) => p.kind === 'agent')
        .map((p) => (
          <span key={`agent-${p.clientId}`} className="badge" data-testid="agent-presence" style={{ borderColor: p.color }}>
            ✦ {p.name}
            {p.progress !== null ? ` · ${Math.round(p.progress * 100)}%` : ''}
            {p.activity ? <span className="muted"> · {p.activity}</span> : null}
          </span>
        ))}
    </span>
  );
}

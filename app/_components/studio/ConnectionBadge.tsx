'use client';
import type { ConnState } from '../../_lib/collab';
import { useI18n } from '../../_lib/i18n';

/** Always-visible sync state; the unsynced count tells people their offline edits are kept. */
export function ConnectionBadge({ state, unsynced }: { state: ConnState; unsynced: number }) {
  const { t } = useI18n();
  const label = t(`conn.${state}`);
  const detail = unsynced > 0 ? t('conn.unsynced', { count: unsynced }) : state === 'connected' ? t('conn.synced') : '';
  return (
    <span className={`conn conn-${state}`} role="status" aria-live="polite" data-testid="connection" data-state={state}>
      <span className="dot" aria-hidden="true" />
      {label}
      {detail ? <span className="muted small">· {detail}</span> : null}
    </span>
  );
}

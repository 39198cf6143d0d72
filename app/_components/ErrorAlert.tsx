'use client';
import { ApiError } from '../_lib/api';
import { useI18n } from '../_lib/i18n';

/** Shows an API error with its field-level details, announced to screen readers. */
export function ErrorAlert({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (!error) return null;
  const message = error instanceof Error ? error.message : t('common.error');
  const details = error instanceof ApiError ? error.details : [];
  return (
    <div className="alert" role="alert">
      <strong>{message}</strong>
      {details.length > 0 ? (
        <ul>
          {details.map((d, i) => (
            <li key={i}>
              {d.path ? <code>{d.path}</code> : null} {d.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

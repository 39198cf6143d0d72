'use client';
import { ApiError, errorMessage } from '../_lib/api';
import { useI18n } from '../_lib/i18n';

/**
 * The one way the UI reports a failure: an API error with its field-level details, a thrown
 * error, or a message already worded for people; announced to screen readers. `inline` is the
 * small variant under a form field or a short form.
 */
export function ErrorAlert({ error, inline = false }: { error: unknown; inline?: boolean }) {
  const { t } = useI18n();
  if (!error) return null;
  const message = typeof error === 'string' ? error : errorMessage(error, t('common.error'));
  const details = error instanceof ApiError ? error.details : [];
  if (inline && details.length === 0) {
    return (
      <p className="error-text" role="alert">
        {message}
      </p>
    );
  }
  return (
    <div className={inline ? 'error-text' : 'alert'} role="alert">
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

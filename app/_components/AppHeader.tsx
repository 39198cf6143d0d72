'use client';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';
import type { ReactNode } from 'react';
import { apiRaw } from '../_lib/api';
import { useI18n } from '../_lib/i18n';
import { LOCALES, type Locale } from '../_lib/i18n-dict';
import { getSession, setSession, useSession } from '../_lib/session';

export function LanguageSwitch() {
  const { locale, setLocale, t } = useI18n();
  return (
    <label className="row small">
      <span className="sr-only">{t('nav.language')}</span>
      <select
        className="select"
        style={{ width: 'auto', padding: '4px 8px' }}
        value={locale}
        onChange={(e) => setLocale(e.target.value as Locale)}
        aria-label={t('nav.language')}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l}>
            {t(`lang.${l}`)}
          </option>
        ))}
      </select>
    </label>
  );
}

export function AppHeader({ children }: { children?: ReactNode }) {
  const { t } = useI18n();
  const session = useSession();
  const pathname = usePathname();
  const router = useRouter();

  async function signOut() {
    const current = getSession();
    try {
      // Revoke the refresh token server-side; sign out locally even if that fails.
      if (current) await apiRaw('/api/auth/logout', { body: { refreshToken: current.refreshToken } });
    } catch {
      /* already invalid or offline: nothing more to revoke from here */
    }
    setSession(null);
    router.push('/login');
  }

  return (
    <>
      <a className="skip-link" href="#main">
        {t('app.skip')}
      </a>
      <header className="app-header">
        <Link href={session ? '/projects' : '/'} className="brand" aria-label="Koma">
          <span className="brand-mark" aria-hidden="true">
            コ
          </span>
          <span>Koma</span>
        </Link>
        <nav className="app-nav" aria-label="Main">
          {session ? (
            <>
              <Link href="/projects" aria-current={pathname === '/projects' ? 'page' : undefined}>
                {t('nav.projects')}
              </Link>
              <Link href="/projects/new" className="hide-sm" aria-current={pathname === '/projects/new' ? 'page' : undefined}>
                {t('nav.newProject')}
              </Link>
            </>
          ) : null}
        </nav>
        <div className="spacer">{children}</div>
        <LanguageSwitch />
        {session ? (
          <>
            {session.user ? (
              <span className="small muted hide-sm" title={session.user.email}>
                {session.user.name}
              </span>
            ) : null}
            <button type="button" className="btn btn-sm" onClick={signOut}>
              {t('nav.signOut')}
            </button>
          </>
        ) : session === null ? (
          <Link className="btn btn-sm" href="/login">
            {t('nav.signIn')}
          </Link>
        ) : null}
      </header>
    </>
  );
}

'use client';
/** Sign in and sign up share one form: the tokens are kept client-side (see _lib/session). */
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useEffect, useState, type FormEvent } from 'react';
import { AppHeader } from '../_components/AppHeader';
import { ErrorAlert } from '../_components/ErrorAlert';
import { api } from '../_lib/api';
import { authResponse, meResponse } from '../_lib/api-types';
import { useI18n } from '../_lib/i18n';
import { setSession } from '../_lib/session';

export function AuthForm({ mode }: { mode: 'login' | 'register' }) {
  const { t } = useI18n();
  const router = useRouter();
  const params = useSearchParams();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Submitting before hydration would be a native GET with the password in the URL: keep the button off until then.
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const data = new FormData(e.currentTarget);
    const body: Record<string, string> = {
      email: String(data.get('email') ?? ''),
      password: String(data.get('password') ?? ''),
    };
    if (mode === 'register') body.name = String(data.get('name') ?? '');
    setBusy(true);
    setError(null);
    try {
      const res = await api(`/api/auth/${mode}`, authResponse, { body, anonymous: true });
      setSession({ accessToken: res.accessToken, refreshToken: res.refreshToken, user: res.user ?? null });
      if (!res.user) {
        // Login answers with tokens only: fetch who we are for the header and presence.
        try {
          const user = await api('/api/me', meResponse);
          setSession({ accessToken: res.accessToken, refreshToken: res.refreshToken, user });
        } catch {
          /* the header simply shows no name */
        }
      }
      const next = params.get('next');
      // Only follow same-site paths, never an absolute URL from the query string.
      router.push(next && next.startsWith('/') && !next.startsWith('//') ? next : '/projects');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const isLogin = mode === 'login';
  return (
    <>
      <AppHeader />
      <main id="main" className="page page-narrow">
        <div className="card">
          <h1>{t(isLogin ? 'auth.signInTitle' : 'auth.signUpTitle')}</h1>
          <form className="stack" onSubmit={onSubmit} method="post" data-ready={ready}>
            {!isLogin ? (
              <div className="field">
                <label htmlFor="name">{t('auth.name')}</label>
                <input className="input" id="name" name="name" required maxLength={100} autoComplete="name" />
              </div>
            ) : null}
            <div className="field">
              <label htmlFor="email">{t('auth.email')}</label>
              <input className="input" id="email" name="email" type="email" required autoComplete="email" />
            </div>
            <div className="field">
              <label htmlFor="password">{t('auth.password')}</label>
              <input
                className="input"
                id="password"
                name="password"
                type="password"
                required
                minLength={isLogin ? undefined : 8}
                autoComplete={isLogin ? 'current-password' : 'new-password'}
                aria-describedby={isLogin ? undefined : 'password-hint'}
              />
              {!isLogin ? (
                <span className="hint" id="password-hint">
                  {t('auth.passwordHint')}
                </span>
              ) : null}
            </div>
            <ErrorAlert error={error} />
            <button className="btn btn-primary" type="submit" disabled={busy || !ready}>
              {t(isLogin ? 'auth.signInAction' : 'auth.signUpAction')}
            </button>
          </form>
          <p className="small muted" style={{ marginTop: 16 }}>
            {t(isLogin ? 'auth.noAccount' : 'auth.haveAccount')}{' '}
            <Link href={isLogin ? '/register' : '/login'}>{t(isLogin ? 'nav.signUp' : 'nav.signIn')}</Link>
          </p>
        </div>
      </main>
    </>
  );
}

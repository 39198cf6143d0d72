'use client';
import Link from 'next/link';
import { AppHeader } from './_components/AppHeader';
import { useI18n } from './_lib/i18n';
import { useSession } from './_lib/session';

export default function Landing() {
  const { t } = useI18n();
  const session = useSession();
  return (
    <>
      <AppHeader />
      <main id="main" className="page">
        <section className="hero">
          <h1>{t('app.tagline')}</h1>
          <p>Koma — 7 phases · live co-editing · AI agents · review</p>
          <div className="row" style={{ justifyContent: 'center' }}>
            <Link className="btn btn-primary" href={session ? '/projects/new' : '/register'}>
              {t('landing.cta')}
            </Link>
            {session ? (
              <Link className="btn" href="/projects">
                {t('nav.projects')}
              </Link>
            ) : (
              <Link className="btn" href="/login">
                {t('landing.haveAccount')}
              </Link>
            )}
          </div>
        </section>
        <section className="features" aria-label="Features">
          {(['f1', 'f2', 'f3'] as const).map((f) => (
            <div className="card" key={f}>
              <h2>{t(`landing.${f}.t`)}</h2>
              <p className="muted">{t(`landing.${f}.d`)}</p>
            </div>
          ))}
        </section>
      </main>
    </>
  );
}

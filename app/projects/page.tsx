'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { AppHeader } from '../_components/AppHeader';
import { Avatar, colorFor } from '../_components/Avatar';
import { ErrorAlert } from '../_components/ErrorAlert';
import { RequireAuth } from '../_components/RequireAuth';
import { api } from '../_lib/api';
import { projectList, type ProjectSummary } from '../_lib/api-types';
import { useI18n } from '../_lib/i18n';
import type { MessageKey } from '../_lib/i18n-dict';

function ProjectCard({ p }: { p: ProjectSummary }) {
  const { t, locale } = useI18n();
  const phase = p.currentPhase ?? p.phase;
  const updated = p.updatedAt ?? p.createdAt;
  const cover = p.coverAssetId ? `/api/assets/${encodeURIComponent(p.coverAssetId)}?quality=low` : null;
  return (
    <li className="project-card">
      <Link className="cover-link" href={`/projects/${p.id}`}>
        <div className="cover">
          {cover ? <img src={cover} alt="" loading="lazy" decoding="async" /> : <span>{t('dash.noCover')}</span>}
        </div>
        <div className="body">
          <h2 style={{ margin: 0, fontSize: '1.05rem' }}>{p.title}</h2>
          <div className="row small muted">
            {phase ? <span>{t('dash.phase', { phase: t(`phase.${phase}` as MessageKey) ?? phase })}</span> : null}
            {p.role ? <span className="badge">{t(`role.${p.role}`)}</span> : null}
          </div>
          {updated ? (
            <span className="small muted">
              {t('dash.updated', { time: new Date(updated).toLocaleString(locale) })}
            </span>
          ) : null}
        </div>
      </Link>
      {p.online && p.online.length > 0 ? (
        <div className="row small" style={{ padding: '0 16px 14px' }}>
          <span className="avatars">
            {p.online.slice(0, 5).map((u, i) => (
              <Avatar key={i} name={u.name} color={u.color ?? colorFor(u.name)} />
            ))}
          </span>
          <span className="muted">{t('dash.online', { count: p.online.length })}</span>
        </div>
      ) : null}
    </li>
  );
}

function Dashboard() {
  const { t } = useI18n();
  const [projects, setProjects] = useState<ProjectSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    api('/api/projects', projectList, { signal: ctrl.signal })
      .then(setProjects)
      .catch((e: unknown) => {
        if (!ctrl.signal.aborted) setError(e);
      });
    return () => ctrl.abort();
  }, []);

  return (
    <main id="main" className="page">
      <div className="row" style={{ marginBottom: 20 }}>
        <h1 style={{ margin: 0 }}>{t('dash.title')}</h1>
        <span className="spacer" />
        <Link className="btn btn-primary" href="/projects/new">
          + {t('nav.newProject')}
        </Link>
      </div>
      <ErrorAlert error={error} />
      {projects === null && !error ? (
        <p className="muted" role="status">
          {t('common.loading')}
        </p>
      ) : null}
      {projects && projects.length === 0 ? <p className="muted">{t('dash.empty')}</p> : null}
      {projects && projects.length > 0 ? (
        <ul className="project-grid">
          {projects.map((p) => (
            <ProjectCard key={p.id} p={p} />
          ))}
        </ul>
      ) : null}
    </main>
  );
}

export default function ProjectsPage() {
  return (
    <>
      <AppHeader />
      <RequireAuth>
        <Dashboard />
      </RequireAuth>
    </>
  );
}

'use client';
import Link from 'next/link';
import { useEffect, useState } from 'react';
import { AppHeader } from '../_components/AppHeader';
import { Avatar, colorFor } from '../_components/Avatar';
import { ErrorAlert } from '../_components/ErrorAlert';
import { RequireAuth } from '../_components/RequireAuth';
import { api } from '../_lib/api';
import { projectList, type ProjectSummary } from '../_lib/api-types';
import { coverUrl, EAGER_COVERS, takeEarlyProjects } from '../_lib/early-projects';
import { useI18n } from '../_lib/i18n';
import type { MessageKey } from '../_lib/i18n-dict';

const PAD = { padding: '0 16px 14px', margin: 0 };

/** Who is in the project now (people, then agents), as the collab-servers report it. */
function OnlineNow({ online }: { online: ProjectSummary['online'] }) {
  const { t } = useI18n();
  if (online === undefined) return null;
  if (online === null) return <p className="small muted" style={PAD}>{t('dash.presenceUnknown')}</p>;
  if (online.length === 0) return null;
  const names = online.map((u) => (u.kind === 'agent' ? `✦ ${u.name}` : u.name));
  return (
    <div className="row small" style={PAD} data-testid="online-now">
      <span className="avatars" aria-hidden="true">
        {online.slice(0, 5).map((u) => (
          <Avatar key={u.id} name={u.kind === 'agent' ? '✦' : u.name} color={colorFor(u.id)} title={u.name} />
        ))}
      </span>
      <span className="muted">
        <span className="sr-only">{t('dash.here')}: </span>
        {names.slice(0, 3).join(', ')}
        {online.length > 3 ? ` · ${t('dash.online', { count: online.length })}` : ''}
      </span>
    </div>
  );
}

function ProjectCard({ p, index }: { p: ProjectSummary; index: number }) {
  const { t, locale } = useI18n();
  const phase = p.currentPhase ?? p.phase;
  const updated = p.updatedAt ?? p.createdAt;
  // Cards likely in the first screen (EAGER_COVERS): their covers are the page's largest paint, so no lazy loading.
  const cover = p.coverAssetId ? coverUrl(p.coverAssetId) : null;
  return (
    <li className="project-card">
      <Link className="cover-link" href={`/projects/${p.id}`}>
        <div className="cover">
          {cover ? (
            <img
              src={cover}
              alt=""
              loading={index < EAGER_COVERS ? 'eager' : 'lazy'}
              fetchPriority={index === 0 ? 'high' : 'auto'}
              decoding="async"
            />
          ) : (
            <span>{t('dash.noCover')}</span>
          )}
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
      <OnlineNow online={p.online} />
    </li>
  );
}

/** Presence entries live 30 s in Redis; a 10 s refresh shows arrivals and departures promptly. */
const REFRESH_MS = 10_000;

function Dashboard() {
  const { t } = useI18n();
  const [projects, setProjects] = useState<ProjectSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    const ctrl = new AbortController();
    const ask = () => api('/api/projects', projectList, { signal: ctrl.signal });
    // The first list usually comes from the request the page's inline script already started.
    const early = takeEarlyProjects();
    const first = early
      ? () =>
          early.then((raw) => {
            const parsed = projectList.safeParse(raw);
            return parsed.success ? parsed.data : ask();
          })
      : ask;
    const load = (fetchList: () => Promise<ProjectSummary[]> = ask) =>
      fetchList()
        .then((list) => {
          setProjects(list);
          setError(null);
        })
        .catch((e: unknown) => {
          if (!ctrl.signal.aborted) setError(e);
        });
    void load(first);
    // "Who is in it now" changes while the page is open: refresh while it is visible.
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, REFRESH_MS);
    const onVisible = () => {
      if (document.visibilityState === 'visible') void load();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      ctrl.abort();
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisible);
    };
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
          {projects.map((p, i) => (
            <ProjectCard key={p.id} p={p} index={i} />
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

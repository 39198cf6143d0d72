'use client';
import Link from 'next/link';
import { useParams, useRouter } from 'next/navigation';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { z } from 'zod';
import { AppHeader } from '../../../_components/AppHeader';
import { ErrorAlert } from '../../../_components/ErrorAlert';
import { RequireAuth } from '../../../_components/RequireAuth';
import { api, apiRaw } from '../../../_lib/api';
import { memberSchema, projectDetailResponse, ROLES, type Member, type Role } from '../../../_lib/api-types';
import { useI18n } from '../../../_lib/i18n';
import { getSession, useSession } from '../../../_lib/session';

const memberList = z
  .union([z.array(memberSchema), z.object({ members: z.array(memberSchema) })])
  .transform((v) => (Array.isArray(v) ? v : v.members));

function Settings({ id }: { id: string }) {
  const { t } = useI18n();
  const router = useRouter();
  const session = useSession();
  const [title, setTitle] = useState('');
  const [myRole, setMyRole] = useState<Role | null>(null);
  const [members, setMembers] = useState<Member[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const project = await api(`/api/projects/${id}`, projectDetailResponse);
      setTitle(project.title);
      const list = project.members ?? (await api(`/api/projects/${id}/members`, memberList));
      setMembers(list);
      const mine = list.find((m) => m.userId === session?.user?.id)?.role ?? project.role ?? null;
      setMyRole(mine);
    } catch (e) {
      setError(e);
    }
  }, [id, session?.user?.id]);

  useEffect(() => {
    void load();
  }, [load]);

  const isOwner = myRole === 'owner';

  async function act(fn: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await fn();
      await load();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  function addMember(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const data = new FormData(form);
    void act(async () => {
      await apiRaw(`/api/projects/${id}/members`, { body: { email: String(data.get('email')), role: String(data.get('role')) } });
      form.reset();
    });
  }

  async function deleteProject() {
    setBusy(true);
    try {
      await apiRaw(`/api/projects/${id}`, { method: 'DELETE' });
      // Its offline copy on this browser goes with it (other members' copies go when their studio hears 404).
      const me = getSession()?.user?.id;
      if (me) await import('../../../_lib/offline').then((m) => m.forgetProject(me, id));
      router.push('/projects');
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <main id="main" className="page" style={{ maxWidth: 820 }}>
      <p>
        <Link href={`/projects/${id}`}>← {title || t('nav.back')}</Link>
      </p>
      <h1>{t('settings.title')}</h1>
      <ErrorAlert error={error} />
      {!isOwner && myRole ? <p className="notice">{t('settings.ownerOnly')}</p> : null}
      <section className="card section" aria-labelledby="members-h">
        <h2 id="members-h">{t('settings.members')}</h2>
        <table className="lines-table">
          <thead>
            <tr>
              <th scope="col">{t('auth.name')}</th>
              <th scope="col">{t('auth.email')}</th>
              <th scope="col">{t('settings.role')}</th>
              <th scope="col">
                <span className="sr-only">{t('settings.remove')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => (
              <tr key={m.userId}>
                <td>{m.name ?? '—'}</td>
                <td>{m.email ?? '—'}</td>
                <td>
                  <select
                    className="select"
                    aria-label={`${t('settings.role')}: ${m.name ?? m.email ?? m.userId}`}
                    value={m.role}
                    disabled={!isOwner || busy || m.role === 'owner'}
                    onChange={(e) =>
                      void act(() => apiRaw(`/api/projects/${id}/members/${m.userId}`, { method: 'PATCH', body: { role: e.target.value } }))
                    }
                  >
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(`role.${r}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <button
                    type="button"
                    className="btn btn-sm btn-danger"
                    disabled={!isOwner || busy || m.role === 'owner'}
                    onClick={() => void act(() => apiRaw(`/api/projects/${id}/members/${m.userId}`, { method: 'DELETE' }))}
                  >
                    {t('settings.remove')}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form className="row" style={{ marginTop: 16, alignItems: 'flex-end' }} onSubmit={addMember}>
          <div className="field" style={{ flex: 2, minWidth: 200 }}>
            <label htmlFor="m-email">{t('settings.memberEmail')}</label>
            <input className="input" id="m-email" name="email" type="email" required disabled={!isOwner} />
          </div>
          <div className="field" style={{ flex: 1, minWidth: 140 }}>
            <label htmlFor="m-role">{t('settings.role')}</label>
            <select className="select" id="m-role" name="role" defaultValue="editor" disabled={!isOwner}>
              {ROLES.filter((r) => r !== 'owner').map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </div>
          <button className="btn btn-primary" type="submit" disabled={!isOwner || busy}>
            {t('settings.addMember')}
          </button>
        </form>
      </section>
      <section className="card section" aria-labelledby="danger-h" style={{ borderColor: 'var(--danger)' }}>
        <h2 id="danger-h">{t('settings.danger')}</h2>
        <p className="muted">{t('settings.dangerText')}</p>
        <div className="row" style={{ alignItems: 'flex-end' }}>
          <div className="field" style={{ flex: 1, minWidth: 220 }}>
            <label htmlFor="confirm">{t('settings.confirmDelete')}</label>
            <input className="input" id="confirm" value={confirm} onChange={(e) => setConfirm(e.target.value)} disabled={!isOwner} />
          </div>
          <button
            type="button"
            className="btn btn-danger"
            disabled={!isOwner || busy || confirm !== title || !title}
            onClick={deleteProject}
          >
            {t('common.delete')}
          </button>
        </div>
      </section>
    </main>
  );
}

export default function SettingsPage() {
  const { id } = useParams<{ id: string }>();
  return (
    <>
      <AppHeader />
      <RequireAuth>
        <Settings id={id} />
      </RequireAuth>
    </>
  );
}

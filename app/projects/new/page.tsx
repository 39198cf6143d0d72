'use client';
import { useRouter } from 'next/navigation';
import { useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { PAGE_FORMAT_NAMES } from '../../../lib/engine/types';
import { AppHeader } from '../../_components/AppHeader';
import { ErrorAlert } from '../../_components/ErrorAlert';
import { RequireAuth } from '../../_components/RequireAuth';
import { api } from '../../_lib/api';
import { createdProject } from '../../_lib/api-types';
import { useI18n } from '../../_lib/i18n';

const MAX_CHARS = 200_000;

/** Decodes an uploaded file as strict UTF-8; binary files (NUL bytes, bad sequences) are refused here too. */
async function readText(file: File): Promise<string | null> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  if (bytes.includes(0)) return null;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return null;
  }
}

function NewProjectForm() {
  const { t, locale } = useI18n();
  const router = useRouter();
  const [title, setTitle] = useState('');
  const [story, setStory] = useState('');
  const [language, setLanguage] = useState<'ja' | 'en'>(locale);
  const [direction, setDirection] = useState<'rtl' | 'ltr'>(locale === 'ja' ? 'rtl' : 'ltr');
  const [format, setFormat] = useState<string>('B5');
  const [error, setError] = useState<unknown>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);

  async function onFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    if (!file) return;
    const text = await readText(file);
    if (text === null) {
      setFileError(t('new.fileNotText'));
      return;
    }
    setFileError(null);
    setStory(text);
    if (!title) setTitle(file.name.replace(/\.txt$/i, ''));
    // A Japanese story usually reads right to left; the user can still change it.
    if (/[\u3040-\u30ff\u4e00-\u9fff]/.test(text.slice(0, 2000))) {
      setLanguage('ja');
      setDirection('rtl');
    }
  }

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const res = await api('/api/projects', createdProject, {
        body: { title, sourceText: story, language, readingDirection: direction, pageFormat: format },
      });
      router.push(`/projects/${res.id}`);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  }

  const count = Array.from(story).length;
  return (
    <main id="main" className="page" style={{ maxWidth: 820 }}>
      <h1>{t('new.title')}</h1>
      <form className="card stack" onSubmit={onSubmit} noValidate method="post" data-ready={ready}>
        <div className="field">
          <label htmlFor="title">{t('new.projectTitle')}</label>
          <input className="input" id="title" value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} />
        </div>
        <div className="field">
          <label htmlFor="story">{t('new.story')}</label>
          <span className="hint" id="story-hint">
            {t('new.storyHint')}
          </span>
          <textarea
            className="textarea"
            id="story"
            value={story}
            onChange={(e) => setStory(e.target.value)}
            required
            rows={12}
            aria-describedby="story-hint story-count"
            aria-invalid={count > MAX_CHARS}
          />
          <div className="row">
            <label className="btn btn-sm">
              {t('new.upload')}
              <input type="file" accept=".txt,text/plain" className="sr-only" onChange={onFile} />
            </label>
            <span className="spacer" />
            <span className={count > MAX_CHARS ? 'error-text' : 'hint'} id="story-count" aria-live="polite">
              {t('new.chars', { count: count.toLocaleString(locale) })}
            </span>
          </div>
          <ErrorAlert error={fileError} inline />
        </div>
        <fieldset>
          <legend>{t('new.language')}</legend>
          <div className="radio-cards">
            {(['ja', 'en'] as const).map((l) => (
              <label key={l}>
                <input type="radio" name="language" value={l} checked={language === l} onChange={() => setLanguage(l)} />
                {t(`lang.${l}`)}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('new.direction')}</legend>
          <div className="radio-cards">
            {(['rtl', 'ltr'] as const).map((d) => (
              <label key={d}>
                <input type="radio" name="direction" value={d} checked={direction === d} onChange={() => setDirection(d)} />
                {t(`new.${d}`)}
              </label>
            ))}
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor="format">{t('new.format')}</label>
          <select className="select" id="format" value={format} onChange={(e) => setFormat(e.target.value)}>
            {PAGE_FORMAT_NAMES.map((f) => (
              <option key={f} value={f}>
                {f}
              </option>
            ))}
          </select>
        </div>
        <ErrorAlert error={error} />
        <div className="row">
          <button className="btn btn-primary" type="submit" disabled={busy || !ready}>
            {t('new.create')}
          </button>
        </div>
      </form>
    </main>
  );
}

export default function NewProjectPage() {
  return (
    <>
      <AppHeader />
      <RequireAuth>
        <NewProjectForm />
      </RequireAuth>
    </>
  );
}

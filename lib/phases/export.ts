/**
 * Exports of a project's adopted book: PDF, CBZ, a zip of PNG pages, a webtoon strip (zip of
 * slices). Reads the active branches through the collab-server (so it prints what people see).
 */
import type * as Y from 'yjs';
import { getAsset } from '../assets/store';
import type { Db } from '../db/client';
import { effectiveActive, getProjectMeta, readBranchContent } from '../doc/project-doc';
import { exportCbz, exportPdf, exportPngZip, exportWebtoon } from '../engine/export';
import { zipEntries, pageFileName } from '../engine/export/zip';
import type { AuthUser } from '../http/auth';
import { badRequest } from '../http/errors';
import { CAN, requireProjectRole } from '../projects/access';
import type { Phase, PhaseOutput } from '../../schema/phases';
import { BookNotReadyError, composedBookFromPhases, type BookSources } from './book';
import { withProjectDoc } from './service';

export const EXPORT_FORMATS = ['pdf', 'cbz', 'zip', 'webtoon'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

const MIME: Record<ExportFormat, string> = {
  pdf: 'application/pdf',
  cbz: 'application/vnd.comicbook+zip',
  zip: 'application/zip',
  webtoon: 'application/zip',
};

function active<P extends Phase>(doc: Y.Doc, phase: P): PhaseOutput<P> | undefined {
  const id = effectiveActive(doc, phase);
  return id ? readBranchContent(doc, phase, id) : undefined;
}

export function bookSourcesFromDoc(doc: Y.Doc): BookSources {
  const meta = getProjectMeta(doc);
  return {
    title: meta.title,
    language: meta.language,
    readingDirection: meta.readingDirection,
    pageFormat: meta.pageFormat,
    characters: active(doc, 'characters'),
    name: active(doc, 'name'),
    dialogue: active(doc, 'dialogue'),
    scenes: active(doc, 'scenes'),
    final: active(doc, 'final'),
  };
}

export async function exportProject(sql: Db, user: AuthUser, projectId: string, format: ExportFormat): Promise<{ bytes: Uint8Array; mime: string; filename: string }> {
  await requireProjectRole(sql, projectId, user.id, CAN.read);
  const sources = await withProjectDoc(projectId, user, bookSourcesFromDoc);
  let book;
  try {
    book = await composedBookFromPhases(sources, async (id) => (await getAsset(sql, id))?.bytes ?? null);
  } catch (error) {
    if (error instanceof BookNotReadyError) throw badRequest('book_not_ready', error.message);
    throw error;
  }
  const base = (sources.title || 'koma').replace(/[^\p{L}\p{N}_-]+/gu, '-').slice(0, 60) || 'koma';
  let bytes: Uint8Array;
  if (format === 'pdf') bytes = await exportPdf(book);
  else if (format === 'cbz') bytes = await exportCbz(book);
  else if (format === 'zip') bytes = await exportPngZip(book);
  else {
    const strip = await exportWebtoon(book);
    const ext = strip.mime === 'image/png' ? 'png' : 'jpg';
    bytes = zipEntries(strip.slices.map((data, i) => ({ name: pageFileName(i, strip.slices.length, ext), bytes: data, compress: false })));
  }
  return { bytes, mime: MIME[format], filename: `${base}.${format === 'webtoon' ? 'webtoon.zip' : format}` };
}

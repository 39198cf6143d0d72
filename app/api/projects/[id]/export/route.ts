import { z } from 'zod';
import { db } from '@/lib/db/client';
import { preflight, readParams, readQuery, requireUser, route } from '@/lib/http';
import { projectIdParams } from '@/lib/projects/schemas';
import { EXPORT_FORMATS, exportProject } from '@/lib/phases/export';

export const dynamic = 'force-dynamic';
// PDF goes through Chromium: give it time.
export const maxDuration = 120;

const query = z.object({ format: z.enum(EXPORT_FORMATS) });

/** GET /api/projects/{id}/export?format=pdf|cbz|zip|webtoon — the adopted book as a file. */
export const GET = route('projects.export', async ({ req, params }) => {
  const user = await requireUser(req);
  const { id } = await readParams(params, projectIdParams);
  const { format } = readQuery(req, query);
  const file = await exportProject(db(), user, id, format);
  return new Response(Buffer.from(file.bytes), {
    status: 200,
    headers: {
      'Content-Type': file.mime,
      'Content-Length': String(file.bytes.byteLength),
      'Content-Disposition': `attachment; filename="${encodeURIComponent(file.filename)}"; filename*=UTF-8''${encodeURIComponent(file.filename)}`,
      'Cache-Control': 'private, no-store',
    },
  });
});

export const OPTIONS = preflight;

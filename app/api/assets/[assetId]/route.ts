import { z } from 'zod';
import { getAssetVariant } from '@/lib/assets/variants';
import { ASSET_ID_PATTERN } from '@/lib/assets/store';
import { db } from '@/lib/db/client';
import { notFound, preflight, readParams, readQuery, route } from '@/lib/http';
import { QUALITY_LEVELS } from '@/lib/engine/types';

export const dynamic = 'force-dynamic';

const params = z.object({ assetId: z.string().regex(ASSET_ID_PATTERN, 'must be an asset id') });
const query = z.object({ quality: z.enum(QUALITY_LEVELS).optional() });

/**
 * Asset ids are content-addressed and unguessable (160 bits derived from the project and the
 * bytes), so an id works as a capability URL: `<img src>` and a CDN can fetch it without a
 * bearer token, and its bytes never change — cached forever.
 */
export const GET = route('assets.get', async ({ req, params: p }) => {
  const { assetId } = await readParams(p, params);
  const { quality } = readQuery(req, query);
  const asset = await getAssetVariant(db(), assetId, quality);
  if (!asset) throw notFound('asset not found');
  const etag = `"${asset.contentHash}"`;
  const headers = {
    'Content-Type': asset.mime,
    'Cache-Control': 'public, max-age=31536000, immutable',
    ETag: etag,
    'X-Content-Type-Options': 'nosniff',
  };
  if (req.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  return new Response(Buffer.from(asset.bytes), { status: 200, headers: { ...headers, 'Content-Length': String(asset.sizeBytes) } });
});

export const OPTIONS = preflight;

/**
 * Preview qualities of a stored image: the seed's five levels. A variant is derived once with
 * sharp (downscaled, WebP), stored as its own content-addressed asset row (`<id>@<quality>`),
 * and served from there ever after.
 */
import sharp from '../sharp';
import type { Db } from '../db/client';
import { QUALITY_SPECS } from '../engine/render/raster';
import type { QualityLevel } from '../engine/types';
import { getAsset, putAsset, type AssetRow } from './store';

export async function getAssetVariant(sql: Db, id: string, quality: QualityLevel | undefined): Promise<AssetRow | null> {
  const original = await getAsset(sql, id);
  if (!original || !quality || quality === 'ultra' || !original.mime.startsWith('image/') || original.mime === 'image/svg+xml') return original;
  const variantId = `${id}@${quality}`;
  const cached = await getAsset(sql, variantId);
  if (cached) return cached;
  const spec = QUALITY_SPECS[quality];
  const targetHeight = spec.heightPx ?? original.height ?? 1600;
  const image = sharp(original.bytes).resize({ height: targetHeight, withoutEnlargement: true, fit: 'inside' });
  const { data, info } = await image.webp({ quality: spec.webpQuality, effort: 2 }).toBuffer({ resolveWithObject: true });
  await putAsset(sql, original.projectId, { bytes: new Uint8Array(data), mime: 'image/webp', width: info.width, height: info.height }, variantId);
  return getAsset(sql, variantId);
}

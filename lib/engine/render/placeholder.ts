/**
 * The storyboard placeholder drawn where a panel has no scene image yet (the "name" stage):
 * light grey, a figure silhouette per character at the layout's face/body boxes, the shot type
 * and the panel number. It is what an editor reads to judge a layout before any art exists.
 */
import type { BBoxMm, LaidPanel } from '../types';
import { horizontalTextPath, r } from './outline';

const FILL = '#e4e4e4';
const BODY = '#c2c2c2';
const FACE = '#a8a8a8';
const LABEL = '#6e6e6e';

/**
 * `box` is the drawn area (a bleed panel reaches the bleed line); `labelBox` is the part a
 * reader sees, so labels never land in the bleed where the trim would cut them.
 */
export function placeholderSvg(panel: LaidPanel, box: BBoxMm, labelBox: BBoxMm, pageNumberLabel: string): string {
  const out: string[] = [`<rect x="${r(box[0])}" y="${r(box[1])}" width="${r(box[2])}" height="${r(box[3])}" fill="${FILL}"/>`];
  const [x, y, w, h] = labelBox;
  for (const f of panel.faces) {
    const [bx, by, bw, bh] = f.bodyMm;
    // Rounded shoulders read as "a person" even at thumbnail size.
    const rad = Math.min(bw, bh) * 0.35;
    out.push(`<rect x="${r(bx)}" y="${r(by)}" width="${r(bw)}" height="${r(bh)}" rx="${r(rad)}" fill="${BODY}"/>`);
    const [fx, fy, fw, fh] = f.faceMm;
    out.push(`<ellipse cx="${r(fx + fw / 2)}" cy="${r(fy + fh / 2)}" rx="${r(fw / 2)}" ry="${r(fh / 2)}" fill="${FACE}"/>`);
  }
  // Labels scale with the panel but stay legible: 2.5–4 mm.
  const size = Math.max(2.5, Math.min(4, Math.min(w, h) / 12));
  const pad = size * 0.6;
  const shot = horizontalTextPath(panel.shot.toUpperCase(), { sizeMm: size, x: x + pad, y: y + pad + size * 0.8 });
  out.push(`<path d="${shot.d}" fill="${LABEL}"/>`);
  const num = horizontalTextPath(pageNumberLabel, { sizeMm: size * 1.4, x: x + w - pad, y: y + h - pad, anchor: 'end' });
  out.push(`<path d="${num.d}" fill="${LABEL}"/>`);
  return out.join('');
}

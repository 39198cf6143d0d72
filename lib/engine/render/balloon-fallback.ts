/**
 * A plain balloon drawing used only when the lettering module's `renderBalloonSvg` is not
 * available (or a caller wants shapes without the lettering engine). Shape per kind, a tail
 * toward `tailTipMm`, and the columns exactly as set, as outlines.
 */
import type { Language, PlacedBalloon } from '../types';
import { blockFromColumns, textBlockToSvg } from '../lettering';
import { r } from './outline';

export function fallbackBalloonSvg(b: PlacedBalloon, language: Language): string {
  const [x, y, w, h] = b.bboxMm;
  const cx = x + w / 2;
  const cy = y + h / 2;
  const stroke = 'stroke="#000" stroke-width="0.35"';
  const parts: string[] = [];
  const tail = b.tailTipMm ? tailPath(cx, cy, w, h, b.tailTipMm[0], b.tailTipMm[1]) : '';
  switch (b.kind) {
    case 'narration':
    case 'broadcast':
      parts.push(`<rect x="${r(x)}" y="${r(y)}" width="${r(w)}" height="${r(h)}" fill="#fff" ${stroke}/>`);
      break;
    case 'shout':
      parts.push(`<path d="${burst(cx, cy, w / 2, h / 2)}" fill="#fff" ${stroke}/>`);
      break;
    case 'sfx':
      break;
    default: {
      const dash = b.kind === 'whisper' ? ' stroke-dasharray="1 0.8"' : '';
      if (tail) parts.push(`<path d="${tail}" fill="#fff" ${stroke}${dash}/>`);
      parts.push(`<ellipse cx="${r(cx)}" cy="${r(cy)}" rx="${r(w / 2)}" ry="${r(h / 2)}" fill="#fff" ${stroke}${dash}/>`);
      // Cover the tail's base so the outline reads as one shape.
      if (tail) parts.push(`<ellipse cx="${r(cx)}" cy="${r(cy)}" rx="${r(w / 2 - 0.2)}" ry="${r(h / 2 - 0.2)}" fill="#fff"/>`);
    }
  }
  parts.push(textSvg(b, language));
  return `<g data-balloon="${escapeAttr(b.id)}">${parts.join('')}</g>`;
}

/**
 * The text through the lettering engine's own drawing (fontkit + `vert`, outlines), centred in
 * the balloon's box — so even the fallback shows the columns exactly as the layout set them.
 */
function textSvg(b: PlacedBalloon, language: Language): string {
  const block = blockFromColumns(b.columns, { language, kind: b.kind, fontSizeMm: b.fontSizeMm, vertical: b.vertical });
  const [x, y, w, h] = b.bboxMm;
  return textBlockToSvg(block, [x + (w - block.widthMm) / 2, y + (h - block.heightMm) / 2]);
}

function tailPath(cx: number, cy: number, w: number, h: number, tx: number, ty: number): string {
  const ang = Math.atan2(ty - cy, tx - cx);
  const base = Math.min(w, h) * 0.18;
  const nx = -Math.sin(ang) * base;
  const ny = Math.cos(ang) * base;
  return `M${r(cx + nx)} ${r(cy + ny)}L${r(tx)} ${r(ty)}L${r(cx - nx)} ${r(cy - ny)}Z`;
}

function burst(cx: number, cy: number, rx: number, ry: number): string {
  const n = 18;
  let d = '';
  for (let i = 0; i < n * 2; i++) {
    const a = (Math.PI * i) / n;
    const k = i % 2 === 0 ? 1 : 0.8;
    d += `${i === 0 ? 'M' : 'L'}${r(cx + Math.cos(a) * rx * k)} ${r(cy + Math.sin(a) * ry * k)}`;
  }
  return d + 'Z';
}

export function escapeAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

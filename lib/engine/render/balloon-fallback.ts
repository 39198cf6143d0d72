/**
 * A plain balloon drawing used only when the lettering module's `renderBalloonSvg` is not
 * available (or a caller wants shapes without the lettering engine). Shape per kind, a tail
 * toward `tailTipMm`, and the columns exactly as set, as outlines.
 */
import type { Language, PlacedBalloon } from '../types';
import { horizontalTextPath, r, verticalColumnPath } from './outline';

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
  parts.push(`<path d="${textPath(b, language)}" fill="#000"/>`);
  return `<g data-balloon="${escapeAttr(b.id)}">${parts.join('')}</g>`;
}

function textPath(b: PlacedBalloon, language: Language): string {
  const [x, y, w, h] = b.bboxMm;
  const size = b.fontSizeMm;
  const face = language === 'ja' ? 'ja-bold' : 'latin-bold';
  if (b.vertical) {
    // Columns run right to left; block centred in the balloon. Column pitch 1.3 em.
    const pitch = size * 1.3;
    const blockW = size + pitch * (b.columns.length - 1);
    const longest = Math.max(0, ...b.columns.map((c) => [...c].length));
    const top = y + (h - longest * size) / 2;
    const right = x + (w + blockW) / 2 - size / 2;
    return b.columns.map((c, i) => verticalColumnPath(c, { face, sizeMm: size, cx: right - i * pitch, top })).join('');
  }
  const lead = size * 1.25;
  const top = y + (h - lead * b.columns.length) / 2;
  return b.columns
    .map((row, i) => horizontalTextPath(row, { face, sizeMm: size, x: x + w / 2, y: top + lead * i + size * 0.95, anchor: 'middle' }).d)
    .join('');
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

/**
 * Glyph outlines → SVG path data in mm. Font units are y-up; SVG is y-down, so y is flipped.
 * Coordinates are absolute (no `transform` attribute), so any consumer that reads path data
 * (resvg, Chromium, pdf-lib's drawSvgPath) draws the same shapes.
 */
import type { OutlineCommand } from '../fonts';

/** Round to 0.001 mm: finer than a 350 dpi pixel (0.073 mm), and keeps the SVG short. */
export function fmt(n: number): string {
  const v = Math.round(n * 1000) / 1000;
  return Object.is(v, -0) ? '0' : String(v);
}

/**
 * Append the outline to `out`, mapping a font-unit point (X, Y) to (ox + X·sx, oy − Y·sy).
 */
export function emitOutline(commands: readonly OutlineCommand[], ox: number, oy: number, sx: number, sy: number, out: string[]): void {
  const px = (x: number): string => fmt(ox + x * sx);
  const py = (y: number): string => fmt(oy - y * sy);
  for (const c of commands) {
    const a = c.args;
    switch (c.command) {
      case 'moveTo':
        out.push(`M${px(a[0])} ${py(a[1])}`);
        break;
      case 'lineTo':
        out.push(`L${px(a[0])} ${py(a[1])}`);
        break;
      case 'quadraticCurveTo':
        out.push(`Q${px(a[0])} ${py(a[1])} ${px(a[2])} ${py(a[3])}`);
        break;
      case 'bezierCurveTo':
        out.push(`C${px(a[0])} ${py(a[1])} ${px(a[2])} ${py(a[3])} ${px(a[4])} ${py(a[5])}`);
        break;
      case 'closePath':
        out.push('Z');
        break;
    }
  }
}

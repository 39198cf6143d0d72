/**
 * Balloons: placement on a laid-out page and drawing (shape + lettering as outlines).
 *
 *   placeBalloons(page, lines, { language, readingDirection, format }) → { balloons, issues }
 *   balloonShapeSvg(balloon) → SVG (mm): the outline by kind, white fill, black stroke
 *   renderBalloonSvg(balloon, language) → SVG <g> (mm): shape + text, ready to put on a page
 */
import type { Language, PlacedBalloon } from '../types';
import { blockFromColumns } from '../lettering/block';
import { textBlockToSvg } from '../lettering/svg';
import { balloonShapeSvg } from './shape';

export { placeBalloons, readsAfter, mouthOf, insidePanel, TAIL_FRACTION } from './place';
export type { PlaceOptions, PlaceResult } from './place';
export { balloonShapeSvg, balloonSize, maxTextBox } from './shape';

const escapeAttr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * One balloon as an SVG group in mm (page coordinates: trim top-left = 0,0): the shape, then
 * the text centred in the balloon body. SFX get no balloon; their glyphs carry a white halo so
 * they read over the art.
 */
export function renderBalloonSvg(balloon: PlacedBalloon, language: Language): string {
  const block = blockFromColumns(balloon.columns, {
    language,
    kind: balloon.kind,
    fontSizeMm: balloon.fontSizeMm,
    vertical: balloon.vertical,
  });
  const [x, y, w, h] = balloon.bboxMm;
  const origin: [number, number] = [x + (w - block.widthMm) / 2, y + (h - block.heightMm) / 2];
  const parts: string[] = [balloonShapeSvg(balloon)];
  if (balloon.kind === 'sfx') {
    parts.push(textBlockToSvg(block, origin, { fill: '#fff', stroke: '#fff', strokeWidthMm: block.fontSizeMm * 0.12 }));
  }
  parts.push(textBlockToSvg(block, origin));
  return `<g data-balloon="${escapeAttr(balloon.id)}" data-kind="${balloon.kind}">${parts.join('')}</g>`;
}

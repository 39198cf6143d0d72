/** The whole pipeline on a small synthetic script: compose → layout.json → render → pixels. */
import { describe, expect, it } from 'vitest';
import { composeBook } from '../book';
import { blockFromColumns } from '../lettering';
import { renderPageSvg } from '../render/svg';
import { rasterizePage } from '../render/raster';
import { darkFraction, mmRect, toGray } from '../render/fixtures/pixels';
import { LayoutJsonSchema, toLayoutJson } from './layout-json';
import { CAST, syntheticStory } from '../../../bench/engine-story';

describe('composeBook', () => {
  const story = syntheticStory(24, 'ja', 11);
  const r = composeBook({ title: '雨の駅', language: 'ja', characters: CAST, shots: story.shots, lines: story.lines, seed: 3 });

  it('lays out every shot once and points every placed balloon at a panel of its page', () => {
    const panels = r.book.pages.flatMap((p) => p.page.panels);
    expect(panels.map((p) => p.shotId).sort()).toEqual(story.shots.map((s) => s.id).sort());
    for (const p of r.book.pages) {
      const ids = new Set(p.page.panels.map((x) => x.id));
      for (const b of p.balloons) expect(ids.has(b.panelId)).toBe(true);
    }
    // Every line is either placed or reported: none disappears silently.
    const placed = new Set(r.balloons.map((b) => b.lineId));
    const reported = new Set(r.issues.map((i) => i.lineId));
    for (const l of r.lines) expect(placed.has(l.id) || reported.has(l.id), l.id).toBe(true);
    expect(r.report?.pages.length).toBe(r.book.pages.length);
  });

  it('exports a layout.json with the quality report that validates', () => {
    const doc = toLayoutJson(r.book, r.report ?? undefined);
    expect(LayoutJsonSchema.safeParse(JSON.parse(JSON.stringify(doc))).success).toBe(true);
    expect(doc.pages[0].quality).toMatchObject({ pageIndex: 0 });
    expect(doc.pages.flatMap((p) => p.balloons).length).toBe(r.balloons.length);
  });

  it('renders ink inside every balloon text box of the first page', async () => {
    const page = r.book.pages.find((p) => p.balloons.length > 0)!;
    const svg = renderPageSvg(page, { format: r.book.format, readingDirection: 'rtl', language: 'ja', characters: CAST });
    expect(svg).not.toMatch(/<text[\s>]/);
    const img = await rasterizePage(svg, 'high', r.book.format, { mime: 'image/png' });
    const g = await toGray(img.bytes);
    const pxPerMm = img.width / r.book.format.trimMm.w;
    for (const b of page.balloons) {
      const block = blockFromColumns(b.columns, { language: 'ja', kind: b.kind, fontSizeMm: b.fontSizeMm, vertical: b.vertical });
      const [x, y, w, h] = b.bboxMm;
      const box: [number, number, number, number] = [x + (w - block.widthMm) / 2, y + (h - block.heightMm) / 2, block.widthMm, block.heightMm];
      expect(darkFraction(g, ...mmRect(box, pxPerMm, [0, 0])), b.id).toBeGreaterThan(0.04);
    }
  });
});

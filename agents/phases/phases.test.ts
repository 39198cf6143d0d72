import { describe, expect, it } from 'vitest';
import { layoutBook } from '../../lib/engine/layout';
import type { ShotInput } from '../../lib/engine/types';
import { sanitizeShots, nameFromLayout, expectedLines } from './name';
import { sanitizeLines } from './dialogue';
import { relayoutPage, repaginate } from './final';
import { placeBalloons } from '../../lib/engine/balloons';
import { syntheticStory } from '../../bench/engine-story';
import { bookLayout } from './pages';
import type { CharactersOutput } from '../../schema/phases';

const characters: CharactersOutput = {
  cast: [{ id: 'c1', name: 'A', aliases: [], role: 'protagonist', look: '', personality: '', speechStyle: '', color: '#123456', referenceAssetId: null }],
};
const shots = (n: number): ShotInput[] => Array.from({ length: n }, (_, i) => ({ id: `s${i}`, importance: 0.5, shot: 'medium', characters: ['c1'] }));

describe('sanitizeShots', () => {
  it('repairs what a model may get wrong: ids, shot types, unknown characters, ranges', () => {
    const out = sanitizeShots(
      [
        { id: 'x', importance: 7, shot: 'bogus' as never, characters: ['c1', 'ghost', 'c1'] },
        { id: 'x', importance: Number.NaN, shot: 'wide', characters: [] },
      ],
      characters,
    );
    expect(out.map((s) => s.id)).toEqual(['x', 'xx']);
    expect(out[0]).toMatchObject({ importance: 1, shot: 'medium', characters: ['c1'] });
    expect(out[1].importance).toBe(0.5);
  });
});

describe('expectedLines', () => {
  const text = '雨の朝。「おはよう」と彼女は言った。「傘はある？」\n\n夜。「ただいま」';
  const plot = {
    structure: 'kishotenketsu' as const,
    outline: '',
    beats: [
      { id: 'b1', act: 'ki' as const, title: '', summary: '', pageBudget: 1, sourceSpan: [0, 27] as [number, number] },
      { id: 'b2', act: 'sho' as const, title: '', summary: '', pageBudget: 1, sourceSpan: null },
    ],
  };
  const shot = (id: string, beatId: string, extra: Partial<ShotInput> = {}): ShotInput => ({ id, importance: 0.5, shot: 'medium', characters: ['c1'], beatId, ...extra });

  it("gives each beat's quoted speech to its shots, in order, and nothing outside a known span", () => {
    const lines = expectedLines(text, 'ja', plot, [shot('s1', 'b1', { characters: [] }), shot('s2', 'b1'), shot('s3', 'b1'), shot('s4', 'b2')]);
    // Two quotes in b1's span over its two shots with someone in them; 「ただいま」 lies in b2, which has no span.
    expect(lines.map((l) => [l.panelId, l.text, l.order, l.speakerId])).toEqual([
      ['s2', 'おはよう', 0, 'c1'],
      ['s3', '傘はある？', 0, 'c1'],
    ]);
  });

  it('gives a line to the shot whose description quotes it', () => {
    const lines = expectedLines(text, 'ja', plot, [shot('s1', 'b1'), shot('s2', 'b1', { description: 'A: 傘はある？' }), shot('s3', 'b1')]);
    expect(lines.find((l) => l.text === '傘はある？')?.panelId).toBe('s2');
    expect(lines.find((l) => l.text === 'おはよう')?.panelId).toBe('s1');
  });
});

describe('sanitizeLines', () => {
  it('drops lines for panels that do not exist and unknown speakers, and numbers lines per panel', () => {
    const name = nameFromLayout(layoutBook(shots(4), { format: 'B5', readingDirection: 'rtl', seed: 1 }));
    const [p0, p1] = name.pages[0].panels.sort((a, b) => a.order - b.order);
    const lines = sanitizeLines(
      [
        { id: 'a', panelId: p1.id, speakerId: 'c1', kind: 'speech', text: 'second panel', order: 0 },
        { id: 'b', panelId: p0.id, speakerId: 'ghost', kind: 'speech', text: 'first panel', order: 0 },
        { id: 'c', panelId: 'nope', speakerId: 'c1', kind: 'speech', text: 'gone', order: 0 },
        { id: 'd', panelId: p0.id, speakerId: 'c1', kind: 'narration', text: 'box', order: 1 },
        { id: 'e', panelId: p0.id, speakerId: 'c1', kind: 'speech', text: '   ', order: 2 },
      ],
      name,
      characters,
    );
    expect(lines.map((l) => [l.text, l.order, l.speakerId])).toEqual([
      ['first panel', 0, null],
      ['box', 1, null],
      ['second panel', 0, 'c1'],
    ]);
  });
});

describe('repaginate', () => {
  it('re-lays a name whose page breaks 3–7 panels, keeping panel ids', () => {
    const good = layoutBook(shots(10), { format: 'B5', readingDirection: 'rtl', seed: 2 });
    // A person merged everything onto one page: 10 panels.
    const broken = bookLayout({ ...nameFromLayout(good), pages: [{ index: 0, panels: nameFromLayout(good).pages.flatMap((p) => p.panels) }] }, { format: 'B5', readingDirection: 'rtl' });
    const fixed = repaginate(broken, 2);
    expect(fixed).not.toBeNull();
    expect(fixed?.layout.pages.every((p) => p.panels.length >= 3 && p.panels.length <= 7)).toBe(true);
    expect([...(fixed?.panelMap.entries() ?? [])].every(([a, b]) => a === b)).toBe(true);
    expect(repaginate(good, 2)).toBeNull();
  });
});

describe('relayoutPage', () => {
  it('re-composes pages whose lines do not fit, with the same panels and fewer lettering issues', () => {
    const story = syntheticStory(120, 'ja', 5);
    const layout = layoutBook(story.shots, { format: 'B5', readingDirection: 'rtl', seed: 1 });
    const panelOfShot = new Map(layout.pages.flatMap((p) => p.panels.map((panel) => [panel.shotId, panel.id] as const)));
    const lines = story.lines.flatMap((l) => (panelOfShot.has(l.panelId) ? [{ ...l, panelId: panelOfShot.get(l.panelId)! }] : []));
    let tried = 0;
    let fixed = 0;
    for (const page of layout.pages) {
      const ids = new Set(page.panels.map((p) => p.id));
      const pageLines = lines.filter((l) => ids.has(l.panelId));
      const placed = placeBalloons(page, pageLines, { language: 'ja', readingDirection: 'rtl', format: layout.format });
      const r = relayoutPage(page, { lines: pageLines, balloons: placed.balloons, issues: placed.issues }, { language: 'ja', layout, seed: 1 });
      if (placed.issues.length === 0) {
        expect(r).toBeNull();
        continue;
      }
      tried += 1;
      if (!r) continue;
      fixed += 1;
      expect(r.page.panels.map((p) => p.id).sort()).toEqual(page.panels.map((p) => p.id).sort());
      expect(r.result.issues.length).toBeLessThan(placed.issues.length);
      expect(r.result.balloons.every((b) => ids.has(b.panelId))).toBe(true);
    }
    expect(tried).toBeGreaterThan(0);
    expect(fixed).toBeGreaterThan(0);
  });
});

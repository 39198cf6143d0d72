import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DialogueLine, LaidPage, Language, LetteringIssue, PlacedBalloon, ReadingDirection } from '../types';
import { pageFormat } from '../formats';
import { blockFromColumns, columnLength, kinsokuViolations, MAX_COLUMNS, MIN_SIZE_MM } from '../lettering/index';
import { area, centre, containsRect, overlapArea, segmentsCross } from './geom';
import { balloonShapeSvg, placeBalloons, renderBalloonSvg, TAIL_FRACTION } from './index';
import { fivePanelPage, randomLines, randomPage } from './fixtures';
import { layoutBook } from '../layout/index';
import { SHOT_TYPES, type ShotInput } from '../types';

const B5 = pageFormat('B5');

const OVAL = new Set(['speech', 'thought', 'whisper', 'shout']);

/** Overlap area of two outlines (ovals = inscribed ellipses), by sampling: independent of geom.ts. */
function shapeOverlap(a: [number, number, number, number], aOval: boolean, b: [number, number, number, number], bOval: boolean): number {
  const x0 = Math.max(a[0], b[0]);
  const y0 = Math.max(a[1], b[1]);
  const x1 = Math.min(a[0] + a[2], b[0] + b[2]);
  const y1 = Math.min(a[1] + a[3], b[1] + b[3]);
  if (x1 <= x0 || y1 <= y0) return 0;
  const inside = (r: [number, number, number, number], oval: boolean, x: number, y: number): boolean => {
    if (!oval) return x >= r[0] && x <= r[0] + r[2] && y >= r[1] && y <= r[1] + r[3];
    const dx = (x - r[0] - r[2] / 2) / (r[2] / 2);
    const dy = (y - r[1] - r[3] / 2) / (r[3] / 2);
    return dx * dx + dy * dy <= 1;
  };
  const N = 40;
  let hits = 0;
  for (let i = 0; i < N; i++) {
    for (let j = 0; j < N; j++) {
      const x = x0 + ((i + 0.5) * (x1 - x0)) / N;
      const y = y0 + ((j + 0.5) * (y1 - y0)) / N;
      if (inside(a, aOval, x, y) && inside(b, bOval, x, y)) hits++;
    }
  }
  return (hits / (N * N)) * (x1 - x0) * (y1 - y0);
}
const bodyArea = (b: PlacedBalloon): number => (OVAL.has(b.kind) ? (Math.PI / 4) * b.bboxMm[2] * b.bboxMm[3] : area(b.bboxMm));

function issuesFor(issues: LetteringIssue[], lineId: string, code?: LetteringIssue['code']): LetteringIssue[] {
  return issues.filter((i) => i.lineId === lineId && (code === undefined || i.code === code));
}

/** Every promise of placeBalloons, checked from the output alone; a broken one must be reported. */
function checkPage(page: LaidPage, lines: DialogueLine[], language: Language, dir: ReadingDirection, strict: boolean): LetteringIssue[] {
  const { balloons, issues } = placeBalloons(page, lines, { language, readingDirection: dir, format: B5 });
  expect(balloons.length).toBe(lines.length);
  if (strict) expect(issues).toEqual([]);
  const byId = new Map(page.panels.map((p) => [p.id, p]));
  for (const b of balloons) {
    const panel = byId.get(b.panelId);
    expect(panel).toBeDefined();
    if (!panel) continue;
    const reported = (code: LetteringIssue['code']): boolean => issuesFor(issues, b.lineId, code).length > 0;
    // M10: inside its panel (≥ 90 % of its area) and inside the safe area.
    if (!reported('too-long')) {
      expect(overlapArea(b.bboxMm, panel.bboxMm) / area(b.bboxMm)).toBeGreaterThanOrEqual(0.9);
      expect(containsRect(B5.safeMm, b.bboxMm)).toBe(true);
    }
    // M8: never over the speaker's face (SFX are art, not speech).
    const speakerFace = panel.faces.find((f) => f.characterId === b.speakerId);
    if (speakerFace && b.kind !== 'sfx' && !reported('face-overlap')) expect(shapeOverlap(b.bboxMm, OVAL.has(b.kind), speakerFace.faceMm, false)).toBe(0);
    // M14: font ≥ 16Q; ≤ 10 chars a column, ≤ 6 columns; otherwise reported as overflow.
    expect(b.fontSizeMm).toBeGreaterThanOrEqual(MIN_SIZE_MM);
    if (b.vertical) {
      for (const c of b.columns) expect(columnLength(c)).toBeLessThanOrEqual(10);
      if (b.columns.length > MAX_COLUMNS) expect(reported('overflow')).toBe(true);
      // M15: zero kinsoku violations (or an overflow report when the text makes that impossible).
      if (!reported('overflow')) expect(kinsokuViolations(b.columns)).toEqual([]);
    }
    // M14: the text box stays inside the outline (ovals: inside the ellipse within the spikes
    // or bumps), at any setting — measured from the columns as set, with the real font.
    const tb = blockFromColumns(b.columns, { language, kind: b.kind, fontSizeMm: b.fontSizeMm, vertical: b.vertical });
    const [, , bw, bh] = b.bboxMm;
    if (OVAL.has(b.kind)) {
      const m = b.kind === 'shout' ? 3.5 : b.kind === 'thought' ? 2 : 0;
      expect((tb.widthMm / (bw - 2 * m)) ** 2 + (tb.heightMm / (bh - 2 * m)) ** 2).toBeLessThanOrEqual(1.001);
    } else {
      expect(tb.widthMm).toBeLessThanOrEqual(bw + 1e-6);
      expect(tb.heightMm).toBeLessThanOrEqual(bh + 1e-6);
    }
    // No tail for narration, SFX and off-panel speakers.
    if (b.kind === 'narration' || b.kind === 'sfx' || !speakerFace) expect(b.tailTipMm).toBeNull();
    if (b.tailTipMm && speakerFace && b.kind !== 'sfx' && !reported('face-overlap')) {
      // The tip stops short of the face, on the speaker's side of the balloon.
      expect(overlapArea([b.tailTipMm[0] - 0.01, b.tailTipMm[1] - 0.01, 0.02, 0.02], speakerFace.faceMm)).toBe(0);
    }
  }
  // M9: no balloon–balloon overlap.
  for (let i = 0; i < balloons.length; i++) {
    for (let j = i + 1; j < balloons.length; j++) {
      const a = balloons[i];
      const c = balloons[j];
      // Butting is allowed: M9 tolerates 2 % of the smaller balloon.
      const ov = shapeOverlap(a.bboxMm, OVAL.has(a.kind), c.bboxMm, OVAL.has(c.kind)) / Math.min(bodyArea(a), bodyArea(c));
      if (ov > 0.02) expect(issuesFor(issues, a.lineId).length + issuesFor(issues, c.lineId).length).toBeGreaterThan(0);
    }
  }
  // M11: balloon reading order in a panel follows the script (independent check on centres).
  for (const p of page.panels) {
    const inPanel = balloons.filter((b) => b.panelId === p.id).sort((a, b) => a.order - b.order);
    const script = lines.filter((l) => l.panelId === p.id).sort((a, b) => a.order - b.order);
    expect(inPanel.map((b) => b.lineId)).toEqual(script.map((l) => l.id));
    for (let i = 1; i < inPanel.length; i++) {
      const [px, py] = centre(inPanel[i - 1].bboxMm);
      const [cx, cy] = centre(inPanel[i].bboxMm);
      const prevBox = inPanel[i - 1].bboxMm;
      const below = inPanel[i].bboxMm[1] >= prevBox[1] + prevBox[3];
      const ok = below || (cy >= py - 1e-6 && (dir === 'rtl' ? cx <= px + 1e-6 : cx >= px - 1e-6));
      if (!ok) expect(issuesFor(issues, inPanel[i].lineId, 'no-position').length).toBeGreaterThan(0);
    }
  }
  return issues;
}

describe('placeBalloons on a hand-made page', () => {
  const lines: DialogueLine[] = [
    { id: 'l1', panelId: 'p1', speakerId: 'a', kind: 'speech', text: 'ちょっと待って、それはどういうことなの？', order: 0 },
    { id: 'l2', panelId: 'p1', speakerId: 'b', kind: 'speech', text: '「はい」って言えばよかった……', order: 1 },
    { id: 'l3', panelId: 'p2', speakerId: 'a', kind: 'shout', text: '嘘だろ！！', order: 0 },
    { id: 'l4', panelId: 'p3', speakerId: null, kind: 'narration', text: '2024年、夏。', order: 0 },
    { id: 'l5', panelId: 'p3', speakerId: 'b', kind: 'thought', text: 'また会えるかな', order: 1 },
    { id: 'l6', panelId: 'p4', speakerId: 'a', kind: 'whisper', text: 'ごめんね', order: 0 },
    { id: 'l7', panelId: 'p4', speakerId: 'zz', kind: 'broadcast', text: '次は東京です', order: 1 },
    { id: 'l8', panelId: 'p4', speakerId: null, kind: 'sfx', text: 'ドン', order: 2 },
  ];

  it('places every line, rtl, with no issues', () => {
    checkPage(fivePanelPage(), lines, 'ja', 'rtl', true);
  });

  it('reads the balloons of a panel in script order: right to left (rtl), left to right (ltr), or top to bottom', () => {
    const rtl = placeBalloons(fivePanelPage(), lines, { language: 'ja', readingDirection: 'rtl', format: B5 }).balloons;
    // The second reads after the first: to its left, or wholly below it.
    const after = (a: PlacedBalloon, b: PlacedBalloon, dir: ReadingDirection): boolean =>
      b.bboxMm[1] >= a.bboxMm[1] + a.bboxMm[3] || (dir === 'rtl' ? centre(b.bboxMm)[0] < centre(a.bboxMm)[0] : centre(b.bboxMm)[0] > centre(a.bboxMm)[0]);
    const [a, b] = rtl.filter((x) => x.panelId === 'p1');
    expect(after(a, b, 'rtl')).toBe(true);
    const en = lines.map((l) => ({ ...l, text: 'Wait, what do you mean by that?' }));
    const ltr = placeBalloons(fivePanelPage(), en, { language: 'en', readingDirection: 'ltr', format: B5 }).balloons;
    const [c, d] = ltr.filter((x) => x.panelId === 'p1');
    expect(after(c, d, 'ltr')).toBe(true);
    expect(c.vertical).toBe(false);
  });

  it('aims tails at the speaker with the tip 50–60 % of the way to the head, no crossings', () => {
    const { balloons } = placeBalloons(fivePanelPage(), lines, { language: 'ja', readingDirection: 'rtl', format: B5 });
    const page = fivePanelPage();
    const tails: Array<[PlacedBalloon, [number, number], [number, number]]> = [];
    for (const b of balloons) {
      const panel = page.panels.find((p) => p.id === b.panelId);
      const f = panel?.faces.find((x) => x.characterId === b.speakerId);
      if (!f || !b.tailTipMm) continue;
      const [bx, by] = centre(b.bboxMm);
      const mouth: [number, number] = [f.faceMm[0] + f.faceMm[2] / 2, f.faceMm[1] + f.faceMm[3] * 0.72];
      // M12: angle error between the tail and the direction to the mouth ≤ 20°.
      const a1 = Math.atan2(b.tailTipMm[1] - by, b.tailTipMm[0] - bx);
      const a2 = Math.atan2(mouth[1] - by, mouth[0] - bx);
      expect(Math.abs(Math.atan2(Math.sin(a1 - a2), Math.cos(a1 - a2)))).toBeLessThanOrEqual((20 * Math.PI) / 180);
      tails.push([b, [bx, by], b.tailTipMm]);
    }
    expect(tails.length).toBeGreaterThan(3);
    expect(TAIL_FRACTION).toBeGreaterThanOrEqual(0.5);
    expect(TAIL_FRACTION).toBeLessThanOrEqual(0.6);
    for (let i = 0; i < tails.length; i++) {
      for (let j = i + 1; j < tails.length; j++) expect(segmentsCross(tails[i][1], tails[i][2], tails[j][1], tails[j][2])).toBe(false);
    }
  });

  it('gives two lines with the same words, by different speakers, each its own speaker', () => {
    // Same text and kind means the same lettered variants; the positions (tail, face to keep
    // clear, the line before) still belong to each line.
    const same: DialogueLine[] = [
      { id: 's1', panelId: 'p1', speakerId: 'a', kind: 'speech', text: 'ごめんね', order: 0 },
      { id: 's2', panelId: 'p1', speakerId: 'b', kind: 'speech', text: 'ごめんね', order: 1 },
    ];
    const page = fivePanelPage();
    const { balloons } = placeBalloons(page, same, { language: 'ja', readingDirection: 'rtl', format: B5 });
    expect(balloons).toHaveLength(2);
    for (const b of balloons) {
      const f = page.panels[0].faces.find((x) => x.characterId === b.speakerId)!;
      const mouth: [number, number] = [f.faceMm[0] + f.faceMm[2] / 2, f.faceMm[1] + f.faceMm[3] * 0.72];
      expect(b.tailTipMm, b.lineId).not.toBeNull();
      const [bx, by] = centre(b.bboxMm);
      const a1 = Math.atan2(b.tailTipMm![1] - by, b.tailTipMm![0] - bx);
      const a2 = Math.atan2(mouth[1] - by, mouth[0] - bx);
      expect(Math.abs(Math.atan2(Math.sin(a1 - a2), Math.cos(a1 - a2))), b.lineId).toBeLessThanOrEqual((20 * Math.PI) / 180);
    }
  });

  it('reports instead of hiding when a panel is far too small', () => {
    const page: LaidPage = { index: 0, panels: [fivePanelPage().panels[0]] };
    page.panels[0] = { ...page.panels[0], bboxMm: [20, 20, 18, 14] };
    const long: DialogueLine[] = [{ id: 'x', panelId: 'p1', speakerId: 'a', kind: 'speech', text: 'あのね'.repeat(8), order: 0 }];
    const r = placeBalloons(page, long, { language: 'ja', readingDirection: 'rtl', format: B5 });
    expect(r.balloons).toHaveLength(1);
    expect(r.issues.length).toBeGreaterThan(0);
  });

  it('draws a shape per kind', () => {
    const { balloons } = placeBalloons(fivePanelPage(), lines, { language: 'ja', readingDirection: 'rtl', format: B5 });
    const byKind = new Map(balloons.map((b) => [b.kind, balloonShapeSvg(b)]));
    expect(byKind.get('narration')).toMatch(/^<rect /);
    expect(byKind.get('whisper')).toContain('stroke-dasharray');
    expect(byKind.get('thought')).toContain('<ellipse');
    expect(byKind.get('sfx')).toBe('');
    for (const b of balloons) expect(renderBalloonSvg(b, 'ja')).toContain('<path d="M');
  });
});

describe('placeBalloons properties (fast-check)', () => {
  for (const language of ['ja', 'en'] as const) {
    for (const dir of ['rtl', 'ltr'] as const) {
      it(`keeps every promise or reports it: ${language}, ${dir}`, () => {
        fc.assert(
          fc.property(
            randomPage().chain((page) => fc.tuple(fc.constant(page), randomLines(page, language))),
            ([page, lines]) => {
              checkPage(page, lines, language, dir, false);
            },
          ),
          { numRuns: 40 },
        );
      });

      it(`has nothing to report on roomy pages: ${language}, ${dir}`, () => {
        fc.assert(
          fc.property(
            randomPage({ roomy: true }).chain((page) => fc.tuple(fc.constant(page), randomLines(page, language, { roomy: true }))),
            ([page, lines]) => {
              checkPage(page, lines, language, dir, true);
            },
          ),
          { numRuns: 30 },
        );
      });
    }
  }
});

/** Natural dialogue, so the text is what a script would hold. */
const NATURAL: Record<Language, string[]> = {
  ja: [
    'ちょっと待って、それはどういうことなの？', 'おはよう！', 'ここはどこだ……？', '「はい」って言えばよかったのに', '2024年の夏、僕たちは出会った。',
    'ふざけるな！！', 'ごめんね', 'また明日ね', '早く逃げろ！', 'あの人、誰？', '本当にありがとう。助かったよ', 'まさか……お前が犯人だったのか',
    'うん', '行こう！', 'ねえ、聞いてる？',
  ],
  en: [
    'Wait, what do you mean by that?', 'Good morning!', 'Where... am I?', 'I should have just said yes.', 'We met in the summer of 2024.',
    "Don't mess with me!!", 'Sorry.', 'See you tomorrow.', 'Run!', 'Who is that?', 'Thank you so much. You saved me.',
    'No way... it was you all along?', 'Yeah.', "Let's go!", 'Hey, are you listening?',
  ],
};

describe('placeBalloons on pages from the layout engine', () => {
  for (const [language, dir] of [['ja', 'rtl'], ['en', 'ltr'], ['ja', 'ltr'], ['en', 'rtl']] as const) {
    it(`keeps every promise or reports it; most lines need no report (${language}, ${dir})`, () => {
      let lines = 0;
      let reported = 0;
      fc.assert(
        fc.property(
          fc.array(
            fc.record({
              importance: fc.double({ min: 0, max: 1, noNaN: true }),
              shot: fc.constantFrom(...SHOT_TYPES),
              characters: fc.subarray(['a', 'b', 'c'], { minLength: 0, maxLength: 2 }),
              say: fc.array(fc.record({ k: fc.nat(NATURAL.ja.length - 1), kind: fc.constantFrom('speech', 'speech', 'speech', 'thought', 'shout', 'whisper', 'narration') }), { maxLength: 2 }),
            }),
            { minLength: 5, maxLength: 16 },
          ),
          fc.nat(1000),
          (shots, seed) => {
            const input: ShotInput[] = shots.map((s, i) => ({ id: `s${i}`, importance: s.importance, shot: s.shot, characters: s.characters }));
            const book = layoutBook(input, { format: 'B5', readingDirection: dir, seed });
            for (const page of book.pages) {
              const pageLines: DialogueLine[] = page.panels.flatMap((p) => {
                const s = shots[Number(p.shotId.slice(1))];
                return s.say.map((l, i) => ({
                  id: `${p.id}-${i}`,
                  panelId: p.id,
                  speakerId: l.kind === 'narration' ? null : p.characters[i] ?? p.characters[0] ?? null,
                  kind: l.kind as DialogueLine['kind'],
                  text: NATURAL[language][l.k],
                  order: i,
                }));
              });
              const issues = checkPage(page, pageLines, language, dir, false);
              lines += pageLines.length;
              reported += new Set(issues.map((i) => i.lineId)).size;
            }
          },
        ),
        { numRuns: 15 },
      );
      expect(lines).toBeGreaterThan(50);
      // Measured ≈ 90 % of lines placed with nothing to report on these pages.
      expect(reported / lines).toBeLessThan(0.2);
    });
  }
});

/**
 * Hand-made and random pages and dialogue for the balloon tests (the layout engine is built in
 * parallel; these fixtures only need the LaidPage contract of types.ts).
 */
import fc from 'fast-check';
import type { BBoxMm, BalloonKind, DialogueLine, FacePlacement, LaidPage, LaidPanel, Language } from '../types';

/** B5 inner frame (MANGA-CRAFT.md): 150 × 220 mm centred in the 182 × 257 trim. */
export const B5_FRAME: BBoxMm = [16, 18.5, 150, 220];

export function panel(id: string, order: number, bboxMm: BBoxMm, faces: FacePlacement[] = []): LaidPanel {
  return {
    id,
    shotId: `shot-${id}`,
    order,
    bboxMm,
    bleed: false,
    shot: 'medium',
    camera: 'eye',
    importance: 0.5,
    characters: faces.map((f) => f.characterId),
    faces,
  };
}

export function face(characterId: string, x: number, y: number, w: number, h: number): FacePlacement {
  return { characterId, faceMm: [x, y, w, h], bodyMm: [x - w * 0.3, y + h, w * 1.6, h * 1.6] };
}

/** A classic five-panel B5 page, right to left. */
export function fivePanelPage(): LaidPage {
  const [fx, fy] = B5_FRAME;
  return {
    index: 0,
    panels: [
      panel('p1', 0, [fx, fy, 150, 60], [face('a', fx + 100, fy + 25, 18, 20), face('b', fx + 30, fy + 28, 18, 20)]),
      panel('p2', 1, [fx + 77, fy + 68, 73, 70], [face('a', fx + 77 + 25, fy + 68 + 30, 22, 25)]),
      panel('p3', 2, [fx, fy + 68, 73, 70], [face('b', fx + 30, fy + 68 + 28, 22, 25)]),
      panel('p4', 3, [fx, fy + 146, 150, 74], [face('a', fx + 110, fy + 146 + 30, 16, 18), face('b', fx + 20, fy + 146 + 32, 16, 18)]),
    ],
  };
}

const JA_PHRASES = [
  'ちょっと', '待って', 'それは', 'どういう', 'ことなの', '「はい」', 'って', '言えば', 'よかった', '……', '2024年', '12月',
  'キャッチボール', 'しようよ', '東京', 'です', 'ありがとう', 'ごめんね', '本当に', 'すごい', 'ねえ', 'あのさ', 'っ', 'ー',
  '、', '。', '？', '！', '!?', '（笑）', 'まさか', '嘘だろ', '行こう', '早く', 'OK', '100円', '明日', 'また', '会おう',
];
const EN_WORDS = [
  'I', 'you', 'we', "can't", 'believe', 'this', 'is', 'happening', 'wait', 'for', 'me', 'the', 'train', 'leaves', 'at',
  'noon', 'really?', 'no', 'way!', 'thank', 'you.', 'sorry', 'about', 'yesterday', 'everything', 'will', 'be', 'fine',
  "let's", 'go', 'home', 'tomorrow', 'again', 'Tokyo', 'station,', 'please.',
];

export const jaText = (maxPhrases = 6): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...JA_PHRASES), { minLength: 1, maxLength: maxPhrases }).map((a) => a.join(''));
export const enText = (maxWords = 14): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...EN_WORDS), { minLength: 1, maxLength: maxWords }).map((a) => a.join(' '));

const KINDS: BalloonKind[] = ['speech', 'speech', 'speech', 'thought', 'shout', 'whisper', 'narration', 'broadcast', 'sfx'];

/** Random rows of panels inside the frame, with random faces. */
export const randomPage = (opts: { roomy?: boolean } = {}): fc.Arbitrary<LaidPage> =>
  fc
    .array(fc.integer({ min: 1, max: opts.roomy ? 2 : 3 }), { minLength: opts.roomy ? 2 : 1, maxLength: opts.roomy ? 3 : 4 })
    .chain((tiers) =>
      fc.tuple(
        fc.constant(tiers),
        fc.array(
          fc.record({
            faces: fc.integer({ min: 0, max: opts.roomy ? 1 : 2 }),
            fx: fc.double({ min: 0.1, max: 0.9, noNaN: true }),
            fy: fc.double({ min: opts.roomy ? 0.55 : 0.3, max: 0.85, noNaN: true }),
            fs: fc.double({ min: 0.12, max: opts.roomy ? 0.25 : 0.4, noNaN: true }),
          }),
          { minLength: 12, maxLength: 12 },
        ),
      ),
    )
    .map(([tiers, faceSpecs]) => {
      const [X, Y, W, H] = B5_FRAME;
      const tierGap = 8;
      const gap = 4;
      const th = (H - tierGap * (tiers.length - 1)) / tiers.length;
      const panels: LaidPanel[] = [];
      tiers.forEach((count, t) => {
        const pw = (W - gap * (count - 1)) / count;
        for (let i = 0; i < count; i++) {
          // Right to left inside a tier (the order is only a label here).
          const x = X + W - (i + 1) * pw - i * gap;
          const y = Y + t * (th + tierGap);
          const k = panels.length;
          const spec = faceSpecs[k % faceSpecs.length];
          const faces: FacePlacement[] = [];
          const side = Math.min(pw, th) * spec.fs;
          for (let f = 0; f < spec.faces; f++) {
            const fx = x + (pw - side) * (f === 0 ? spec.fx : 1 - spec.fx);
            faces.push(face(f === 0 ? 'a' : 'b', fx, y + (th - side) * spec.fy, side, side * 1.1));
          }
          panels.push(panel(`p${k}`, k, [x, y, pw, th], faces));
        }
      });
      return { index: 0, panels };
    });

/** Random dialogue for a page: 0–3 lines a panel (0–2 when roomy). */
export const randomLines = (page: LaidPage, language: Language, opts: { roomy?: boolean } = {}): fc.Arbitrary<DialogueLine[]> =>
  fc
    .array(
      fc.array(
        fc.record({
          kind: opts.roomy ? fc.constantFrom<BalloonKind>('speech', 'speech', 'thought', 'whisper', 'narration') : fc.constantFrom(...KINDS),
          speaker: fc.constantFrom<string | null>('a', 'b', null, 'offpanel'),
          text: language === 'ja' ? jaText(opts.roomy ? 3 : 6) : enText(opts.roomy ? 6 : 14),
        }),
        { minLength: 0, maxLength: opts.roomy ? 2 : 3 },
      ),
      { minLength: page.panels.length, maxLength: page.panels.length },
    )
    .map((perPanel) =>
      perPanel.flatMap((ls, p) =>
        ls.map((l, i) => ({
          id: `l${p}-${i}`,
          panelId: page.panels[p].id,
          speakerId: l.kind === 'narration' ? null : l.speaker,
          kind: l.kind,
          text: l.text,
          order: i,
        })),
      ),
    );

/**
 * Property tests over random Japanese and English dialogue: whatever the text, the setter keeps
 * its promises (JIS X 4051 kinsoku, ≤ 10 characters a column, ≤ 6 columns, ≥ 16Q) or says it
 * could not (overflow) — never silently.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jaText, enText } from '../balloons/fixtures';
import { BALLOON_KINDS } from '../types';
import { phraseBreaks } from '../quality/text';
import { columnCells, columnLength, kinsokuViolations, phraseBoundaries, setText, textBlockToSvg } from './index';

const kind = fc.constantFrom(...BALLOON_KINDS);

/** Natural manga dialogue (BudouX is trained on real sentences, not random phrase salad). */
const NATURAL_JA = [
  'ちょっと待って、それはどういうことなの？', 'おはよう！今日もいい天気だね', 'ここはどこだ……？', '「はい」って言えばよかったのに',
  '2024年の夏、僕たちは出会った。', 'ふざけるな！！お前に何がわかる', 'ごめんね、遅くなっちゃった', 'また明日ね。気をつけて帰ってね',
  '早く逃げろ！ここはもう持たない', 'あの人、誰？見たことない顔だけど', '本当にありがとう。助かったよ', 'まさか……お前が犯人だったのか',
  '行こう！みんなが待ってる', 'ねえ、聞いてる？大事な話なんだけど', 'このままじゃ間に合わないぞ', '私は絶対にあきらめない',
  'どうしてそんなことを言うの？', 'お腹すいたなあ。ラーメンでも食べに行かない？', '彼女はもう戻ってこないよ', '信じてくれてありがとう',
  '明日の試合、絶対に勝とうな！', 'この手紙を彼に渡してほしいの', '先生、質問があります', 'そんなの聞いてないよ！',
  '君の名前を教えてくれないか', '今度こそ本当のことを話してもらうぞ', '駅前の喫茶店で待ってるから', 'まだ終わってないぞ！',
  '雨が降りそうだから傘を持っていきなさい', '夢の中で誰かが私を呼んでいた',
];
const box = fc.option(fc.double({ min: 8, max: 80, noNaN: true }), { nil: undefined });

describe('setText properties', () => {
  it('Japanese: kinsoku-clean, ≤ 10 a column, ≤ 6 columns, ≥ 16Q, inside the box — or overflow', () => {
    fc.assert(
      fc.property(jaText(8), kind, box, box, (text, k, w, h) => {
        const b = setText(text, { language: 'ja', kind: k, maxWidthMm: w, maxHeightMm: h });
        expect(b.vertical).toBe(true);
        expect(b.fontSizeMm).toBeGreaterThanOrEqual(4);
        for (const c of b.columns) expect(columnLength(c)).toBeLessThanOrEqual(10);
        if (!b.overflow) {
          expect(kinsokuViolations(b.columns)).toEqual([]);
          expect(b.columns.length).toBeLessThanOrEqual(6);
          if (w !== undefined) expect(b.widthMm).toBeLessThanOrEqual(w + 1e-6);
          if (h !== undefined) expect(b.heightMm).toBeLessThanOrEqual(h + 1e-6);
        }
        // 。、 dropped in balloons (narration keeps them); nothing else lost or invented.
        const set = b.columns.join('');
        if (k !== 'narration') expect(set).not.toMatch(/[。、]/u);
      }),
      { numRuns: 300 },
    );
  });

  it('Japanese: arbitrary strings never crash, never exceed 10 a column, flag what they break', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'あいうえおかきくけこっゃゅょーー「」『』（）…、。！？!?0123456789ABCｱ　 \n'), maxLength: 60 }), kind, (text, k) => {
        const b = setText(text, { language: 'ja', kind: k });
        for (const c of b.columns) expect(columnLength(c)).toBeLessThanOrEqual(10);
        if (kinsokuViolations(b.columns).length > 0 || b.columns.length > 6) expect(b.overflow).toBe(true);
        expect(b.fontSizeMm).toBeGreaterThanOrEqual(4);
        textBlockToSvg(b, [0, 0]);
      }),
      { numRuns: 300 },
    );
  });

  it('Japanese: ≥ 95 % of column breaks fall on phrase boundaries (M16) over natural dialogue', () => {
    let breaks = 0;
    let good = 0;
    for (const text of NATURAL_JA) {
      for (const k of ['speech', 'shout', 'narration'] as const) {
        for (const h of [undefined, 40, 30]) {
          const b = setText(text, { language: 'ja', kind: k, maxHeightMm: h });
          if (b.overflow) continue;
          // The quality checker's own M16 count (aligned to the source with its punctuation).
          const [g, all] = phraseBreaks(b.columns, phraseBoundaries, text);
          good += g;
          breaks += all;
        }
      }
    }
    expect(breaks).toBeGreaterThan(100);
    expect(good / breaks).toBeGreaterThanOrEqual(0.95);
  });

  it('English: every word kept whole and in order, rows within the width — or overflow', () => {
    fc.assert(
      fc.property(enText(30), kind, box, (text, k, w) => {
        const b = setText(text, { language: 'en', kind: k, maxWidthMm: w });
        expect(b.vertical).toBe(false);
        expect(b.columns.join(' ')).toBe(text.split(/\s+/).join(' '));
        expect(b.fontSizeMm).toBeGreaterThanOrEqual(4);
        if (!b.overflow && w !== undefined) expect(b.widthMm).toBeLessThanOrEqual(w + 1e-6);
        for (const row of b.columns) expect(row).not.toMatch(/-$/);
      }),
      { numRuns: 200 },
    );
  });

  it('column cells count a tate-chu-yoko run once', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 9999 }), (n) => {
        expect(columnCells(`${n}年`)).toBe(2);
      }),
    );
  });
});

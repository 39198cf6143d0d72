import { describe, expect, it } from 'vitest';
import { glyphIds, loadFont } from '../fonts';
import {
  cellsOf, columnLength, kinsokuViolations, phraseBoundaries, setText, setTextVariants, textBlockToSvg,
} from './index';
import { emitOutline } from './outline';
import { shapeRun } from '../fonts';

const ja = (text: string, extra: { maxWidthMm?: number; maxHeightMm?: number; kind?: 'speech' | 'narration' | 'shout' } = {}) =>
  setText(text, { language: 'ja', kind: extra.kind ?? 'speech', maxWidthMm: extra.maxWidthMm, maxHeightMm: extra.maxHeightMm });

/** A box that holds `n` cells of 18Q per column. */
const cellsHigh = (n: number): number => n * 4.5 + 0.01;

describe('kinsoku (JIS X 4051 §6.1, JLReq §3.1.7)', () => {
  it('keeps 「はい」 together and never ends a column with 「', () => {
    const b = ja('「はい」');
    expect(b.columns).toEqual(['「はい」']);
    for (let h = 2; h <= 6; h++) {
      const c = ja('彼は「はい」と言った', { maxHeightMm: cellsHigh(h) });
      expect(kinsokuViolations(c.columns)).toEqual([]);
      for (const col of c.columns) {
        expect(col.endsWith('「')).toBe(false);
        expect(col.startsWith('」')).toBe(false);
      }
    }
  });

  it('never starts a column with small kana or ー', () => {
    for (let h = 4; h <= 8; h++) {
      const c = ja('ちょっと待ってキャッチボールしようよ', { maxHeightMm: cellsHigh(h) });
      expect(c.overflow).toBe(false);
      expect(kinsokuViolations(c.columns)).toEqual([]);
      for (const col of c.columns) expect('っょャッーゃ').not.toContain([...col][0]);
    }
  });

  it('never splits …… and keeps it off a column start', () => {
    for (let h = 3; h <= 8; h++) {
      const c = ja('えっと……それは……その……', { maxHeightMm: cellsHigh(h) });
      expect(kinsokuViolations(c.columns)).toEqual([]);
      for (const col of c.columns) {
        const dots = col.match(/…+/g) ?? [];
        for (const d of dots) expect(d.length % 2).toBe(0);
      }
    }
  });

  it('never splits a number: 2024年', () => {
    for (let h = 4; h <= 8; h++) {
      const c = ja('2024年の夏に会いましょう', { maxHeightMm: cellsHigh(h) });
      expect(c.columns.some((col) => col.includes('2024'))).toBe(true);
      expect(kinsokuViolations(c.columns)).toEqual([]);
    }
  });

  it('reports overflow instead of breaking kinsoku when there is no way (a run of ー)', () => {
    const c = ja('ー'.repeat(14));
    expect(c.overflow).toBe(true);
    expect(c.fontSizeMm).toBeGreaterThanOrEqual(4);
    for (const col of c.columns) expect(columnLength(col)).toBeLessThanOrEqual(10);
  });

  it('the independent checker catches violations', () => {
    expect(kinsokuViolations(['あい', 'ーう']).map((v) => v.rule)).toEqual(['line-start']);
    expect(kinsokuViolations(['あ「', 'い']).map((v) => v.rule)).toEqual(['line-end']);
    expect(kinsokuViolations(['!?'])).toEqual([]);
    expect(kinsokuViolations(['ーあ', 'い「'])).toEqual([]);
    // …… may not be split, nor (the stricter publishers' rule we follow) start a column.
    expect(kinsokuViolations(['あ…', '…い']).map((v) => v.rule)).toEqual(['split-inseparable', 'line-start']);
    expect(kinsokuViolations(['20', '24年']).map((v) => v.rule)).toEqual(['split-number']);
  });
});

describe('balloon punctuation', () => {
  it('drops 。 and 、 in balloons but keeps ？ and ！', () => {
    const c = ja('はい、そうです。本当に？すごい！');
    const all = c.columns.join('');
    expect(all).not.toMatch(/[。、]/u);
    expect(all).toContain('？');
    expect(all).toContain('！');
    // Where 、 stood, a new column starts.
    expect(c.columns[0]).toBe('はい');
  });

  it('keeps 。 and 、 in narration boxes', () => {
    const c = ja('その夜、雨が降った。', { kind: 'narration' });
    expect(c.columns.join('')).toBe('その夜、雨が降った。');
    expect(kinsokuViolations(c.columns)).toEqual([]);
  });

  it('turns ... into …… and !? into a tate-chu-yoko pair', () => {
    expect(ja('えっ...').columns.join('')).toBe('えっ……');
    expect(ja('本当に!?').columns.join('')).toBe('本当に!?');
    expect(ja('本当に！').columns.join('')).toBe('本当に！');
  });
});

describe('tate-chu-yoko (JLReq §3.1.9)', () => {
  it('sets 2–4 digits and !? pairs in one cell', () => {
    expect(cellsOf('2024年')).toEqual([{ text: '2024', kind: 'tcy' }, { text: '年', kind: 'upright' }]);
    expect(cellsOf('12月')).toEqual([{ text: '12', kind: 'tcy' }, { text: '月', kind: 'upright' }]);
    expect(cellsOf('え!?')).toEqual([{ text: 'え', kind: 'upright' }, { text: '!?', kind: 'tcy' }]);
    expect(cellsOf('5分').map((c) => c.kind)).toEqual(['upright', 'upright']);
    expect(cellsOf('123456').every((c) => c.kind === 'upright')).toBe(true);
  });

  it('draws a tate-chu-yoko cell inside the column width and one em tall', () => {
    const b = ja('2024年');
    expect(b.heightMm).toBeCloseTo(2 * b.fontSizeMm, 6);
    const svg = textBlockToSvg(b, [0, 0]);
    const xs = [...svg.matchAll(/[MLQ](-?[\d.]+) (-?[\d.]+)/g)].map((m) => Number(m[1]));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(-0.01);
    expect(Math.max(...xs)).toBeLessThanOrEqual(b.widthMm + 0.01);
  });
});

describe('vertical glyph forms (OpenType vert)', () => {
  it('substitutes brackets, ー and …', () => {
    for (const ch of ['「', '」', 'ー', '…', '（', '〜', 'っ']) {
      expect(glyphIds('ja-bold', ch, ['vert'])[0]).not.toBe(glyphIds('ja-bold', ch)[0]);
    }
  });

  it('draws the vertical form in vertical text', () => {
    const b = ja('「');
    const svg = textBlockToSvg(b, [0, 0]);
    const draw = (features: string[]): string => {
      const run = shapeRun('ja-bold', '「', features);
      const s = b.fontSizeMm / run.unitsPerEm;
      const out: string[] = [];
      emitOutline(run.glyphs[0].commands, (b.fontSizeMm - run.advanceWidth * s) / 2, 0.88 * b.fontSizeMm, s, s, out);
      return out.join('');
    };
    expect(svg).toContain(draw(['vert']));
    expect(svg).not.toContain(draw([]));
  });

  it('loads each font once', () => {
    expect(loadFont('ja-bold')).toBe(loadFont('ja-bold'));
  });
});

describe('sizes and limits', () => {
  it('sets dialogue at 18Q and never below 16Q', () => {
    expect(ja('こんにちは').fontSizeMm).toBe(4.5);
    const tight = ja('今日はとても良い天気ですね散歩に行こう', { maxHeightMm: 40, maxWidthMm: 14 });
    expect(tight.fontSizeMm).toBeLessThan(4.5);
    expect(tight.fontSizeMm).toBeGreaterThanOrEqual(4);
  });

  it('reports overflow when the text cannot fit', () => {
    const long = 'あのね'.repeat(30);
    const b = ja(long);
    expect(b.overflow).toBe(true);
    expect(b.fontSizeMm).toBe(4);
    const ok = ja('あのね'.repeat(5));
    expect(ok.overflow).toBe(false);
    expect(ok.columns.length).toBeLessThanOrEqual(6);
  });

  it('sets shouts bigger (24–32Q)', () => {
    const s = setText('待て！', { language: 'ja', kind: 'shout' });
    expect(s.fontSizeMm).toBeGreaterThanOrEqual(6);
    expect(s.fontSizeMm).toBeLessThanOrEqual(8);
  });

  it('breaks on phrase boundaries', () => {
    const text = 'ちょっと待って、それはどういうことなの？';
    const b = ja(text);
    const joined = b.columns.join('');
    const bounds = new Set(phraseBoundaries(joined));
    let at = 0;
    for (const col of b.columns.slice(0, -1)) {
      at += col.length;
      expect(bounds.has(at)).toBe(true);
    }
  });
});

describe('English', () => {
  it('wraps words without hyphenation, centred rows', () => {
    const text = "I can't believe you'd do something like that after everything we've been through together.";
    const b = setText(text, { language: 'en', kind: 'speech' });
    expect(b.vertical).toBe(false);
    expect(b.columns.join(' ')).toBe(text);
    expect(b.columns.length).toBeGreaterThan(2);
    expect(b.widthMm / b.heightMm).toBeLessThan(2.5);
    const svg = textBlockToSvg(b, [10, 10]);
    expect((svg.match(/<path /g) ?? []).length).toBe(b.columns.length);
  });

  it('reports overflow for a word wider than the box', () => {
    const b = setText('Supercalifragilisticexpialidocious', { language: 'en', kind: 'speech', maxWidthMm: 30 });
    expect(b.overflow).toBe(true);
  });

  it('offers alternative shapes', () => {
    const v = setTextVariants('This is a fairly long line of dialogue for a balloon', { language: 'en', kind: 'speech' });
    expect(v.length).toBeGreaterThan(1);
  });
});

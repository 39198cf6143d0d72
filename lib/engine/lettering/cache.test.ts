import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BalloonKind } from '../types';
import { clearLetteringCaches, setTextVariants } from './index';
import type { SetTextOptions } from './index';
import { enText, jaText } from '../balloons/fixtures';

const KINDS: BalloonKind[] = ['speech', 'shout', 'thought', 'whisper', 'narration', 'broadcast', 'sfx'];

/** Requests over a few texts (so one text is asked with other kinds and limits). */
const requests = (language: 'ja' | 'en') =>
  fc
    .tuple(fc.array(language === 'ja' ? jaText(8) : enText(16), { minLength: 1, maxLength: 3 }), fc.array(request(), { minLength: 2, maxLength: 12 }))
    .map(([texts, reqs]) => reqs.map((r) => ({ ...r, text: texts[r.pick % texts.length] })));

const request = () =>
  fc.record({
    pick: fc.nat(),
    kind: fc.constantFrom(...KINDS),
    // From boxes nothing fits in (overflow) to roomy ones.
    maxWidthMm: fc.double({ min: 2, max: 60, noNaN: true }),
    maxHeightMm: fc.double({ min: 2, max: 60, noNaN: true }),
    maxNonPhraseBreaks: fc.constantFrom(0, 1, Infinity),
  });

describe('lettering caches', () => {
  for (const language of ['ja', 'en'] as const) {
    it(`${language}: cached settings are exactly the fresh ones, whatever was asked before`, () => {
      fc.assert(
        fc.property(requests(language), (reqs) => {
          const opts = reqs.map((r): [string, SetTextOptions] => [r.text, { language, kind: r.kind, maxWidthMm: r.maxWidthMm, maxHeightMm: r.maxHeightMm, maxNonPhraseBreaks: r.maxNonPhraseBreaks }]);
          // Fresh, one request at a time (nothing cached from another request).
          const fresh = opts.map(([t, o]) => {
            clearLetteringCaches();
            return structuredClone(setTextVariants(t, o));
          });
          // All in a row, then in reverse: every later one is served from caches.
          clearLetteringCaches();
          const inOrder = opts.map(([t, o]) => structuredClone(setTextVariants(t, o)));
          const reversed = [...opts].reverse().map(([t, o]) => structuredClone(setTextVariants(t, o))).reverse();
          expect(inOrder).toEqual(fresh);
          expect(reversed).toEqual(fresh);
        }),
        { numRuns: 25 },
      );
    });
  }

  it('overflow blocks (text that fits nowhere) are the same cold and warm', () => {
    const text = 'ずっと、探していたんだ。ここから先は、私が行く。ありがとう。でも、大丈夫。';
    clearLetteringCaches();
    const cold = structuredClone(setTextVariants(text, { language: 'ja', kind: 'speech', maxWidthMm: 5, maxHeightMm: 5 }));
    expect(cold).toHaveLength(1);
    expect(cold[0].overflow).toBe(true);
    const warm = setTextVariants(text, { language: 'ja', kind: 'speech', maxWidthMm: 6, maxHeightMm: 4 });
    expect(warm[0].columns).toEqual(cold[0].columns);
    // The caller may not corrupt the cache through the returned columns.
    warm[0].columns.push('x');
    expect(setTextVariants(text, { language: 'ja', kind: 'speech', maxWidthMm: 7, maxHeightMm: 4 })[0].columns).toEqual(cold[0].columns);
  });
});

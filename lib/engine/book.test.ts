import { describe, expect, it } from 'vitest';
import { balloonHints, composeBook } from './book';
import { layoutBook } from './layout';
import { placeBalloons } from './balloons';
import { pageFormat } from './formats';
import { CAST, syntheticStory } from '../../bench/engine-story';

describe('balloonHints', () => {
  const story = syntheticStory(120, 'ja', 11);

  it('asks a minimum panel of every shot with dialogue, and of no other', () => {
    const { minPanelMm = {} } = balloonHints(story.shots, story.lines, 'ja');
    const talky = new Set(story.lines.filter((l) => l.kind !== 'sfx').map((l) => l.panelId));
    expect(Object.keys(minPanelMm).sort()).toEqual([...talky].sort());
    for (const size of Object.values(minPanelMm)) {
      expect(size.w).toBeGreaterThan(6);
      expect(size.h).toBeGreaterThan(0);
    }
  });

  it('lets more lines be lettered without a reported issue than the same layout without hints', () => {
    const format = pageFormat('B5');
    const withHints = composeBook({ title: 't', language: 'ja', format: 'B5', readingDirection: 'rtl', characters: CAST, shots: story.shots, lines: story.lines, seed: 1, check: false });
    const plain = layoutBook(story.shots, { format: 'B5', readingDirection: 'rtl', seed: 1 });
    const panelOfShot = new Map(plain.pages.flatMap((p) => p.panels.map((panel) => [panel.shotId, panel.id] as const)));
    const lines = story.lines.flatMap((l) => (panelOfShot.has(l.panelId) ? [{ ...l, panelId: panelOfShot.get(l.panelId)! }] : []));
    let plainIssues = 0;
    for (const page of plain.pages) {
      const ids = new Set(page.panels.map((p) => p.id));
      plainIssues += placeBalloons(page, lines.filter((l) => ids.has(l.panelId)), { language: 'ja', readingDirection: 'rtl', format }).issues.length;
    }
    expect(withHints.issues.length).toBeLessThan(plainIssues);
  });
});

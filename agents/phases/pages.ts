/** The name (phase 4 output) as the engine's laid-out pages, and back. */
import type { BookLayout, LaidPage, PageFormatName, ReadingDirection } from '../../lib/engine/types';
import { pageFormat } from '../../lib/engine/formats';
import type { NameOutput } from '../../schema/phases';

export function laidPage(page: NameOutput['pages'][number]): LaidPage {
  return {
    index: page.index,
    panels: [...page.panels]
      .sort((a, b) => a.order - b.order)
      .map((p) => {
        const panel: LaidPage['panels'][number] = {
          id: p.id,
          // Our layout names panels `panel-<shotId>`; a hand-drawn panel is its own shot.
          shotId: p.id.startsWith('panel-') ? p.id.slice(6) : p.id,
          order: p.order,
          bboxMm: p.bboxMm,
          bleed: p.bleed,
          shot: p.shot,
          camera: p.camera,
          importance: p.importance,
          characters: p.characters,
          faces: p.faces,
          description: p.description,
        };
        if (p.beatId) panel.beatId = p.beatId;
        return panel;
      }),
  };
}

export function bookLayout(name: NameOutput, fallback: { format: PageFormatName; readingDirection: ReadingDirection }): BookLayout {
  return {
    format: pageFormat(name.format ?? fallback.format),
    readingDirection: name.readingDirection ?? fallback.readingDirection,
    pages: name.pages.map(laidPage),
  };
}

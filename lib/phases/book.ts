/**
 * The book as the phases made it: the adopted name (or phase 7's fixed pages), the lettered
 * balloons and the scene images, as a ComposedBook the engine can render and export. Used by
 * the export endpoint and the headless CLI, so both print exactly the same book.
 */
import { bookLayout } from '../../agents/phases/pages';
import type { BookCharacter, ComposedBook, Language, PageFormatName, ReadingDirection } from '../engine/types';
import type { CharactersOutput, DialogueOutput, FinalOutput, NameOutput, ScenesOutput } from '../../schema/phases';

export interface BookSources {
  title: string;
  language: Language;
  readingDirection: ReadingDirection;
  pageFormat: PageFormatName;
  characters?: CharactersOutput;
  name?: NameOutput;
  dialogue?: DialogueOutput;
  scenes?: ScenesOutput;
  final?: FinalOutput;
}

export class BookNotReadyError extends Error {}

export async function composedBookFromPhases(
  sources: BookSources,
  loadImage: (assetId: string) => Promise<Uint8Array | null>,
): Promise<ComposedBook> {
  const name = sources.final?.book?.name ?? sources.name;
  if (!name) throw new BookNotReadyError('the book has no pages yet: adopt a name (phase 4) first');
  const balloons = sources.final?.book?.balloons ?? sources.dialogue?.balloons ?? [];
  const layout = bookLayout(name, { format: sources.pageFormat, readingDirection: sources.readingDirection });

  const images = new Map<string, Uint8Array>();
  for (const scene of sources.scenes?.panels ?? []) {
    if (!scene.assetId) continue;
    const bytes = await loadImage(scene.assetId);
    if (bytes) images.set(scene.panelId, bytes);
  }
  const characters: BookCharacter[] = (sources.characters?.cast ?? []).map((c) => ({ id: c.id, name: c.name, color: c.color }));
  return {
    title: sources.title,
    language: sources.language,
    format: layout.format,
    readingDirection: layout.readingDirection,
    characters,
    pages: layout.pages.map((page) => {
      const ids = new Set(page.panels.map((p) => p.id));
      return {
        page,
        balloons: balloons.filter((b) => ids.has(b.panelId)),
        images: new Map([...images].filter(([panelId]) => ids.has(panelId))),
      };
    }),
  };
}

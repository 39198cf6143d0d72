/**
 * ComicInfo.xml (schema v2.0) for CBZ readers. Element order follows the schema's sequence,
 * or validating readers reject it. `Manga=YesAndRightToLeft` is the only value that makes
 * readers page right to left (`Yes` alone changes nothing in Komga).
 */
import type { ComposedBook } from '../types';

export interface ComicInfoPage {
  width: number;
  height: number;
  sizeBytes: number;
}

export interface ComicInfoMeta {
  series?: string;
  number?: string;
  summary?: string;
  writer?: string;
  penciller?: string;
  letterer?: string;
}

export function comicInfoXml(book: ComposedBook, pages: ComicInfoPage[], meta: ComicInfoMeta = {}): string {
  const el = (name: string, value: string | number | undefined) =>
    value === undefined || value === '' ? '' : `  <${name}>${xml(String(value))}</${name}>\n`;
  const pageEls = pages
    .map(
      (p, i) =>
        `    <Page Image="${i}" Type="${i === 0 ? 'FrontCover' : 'Story'}" ImageSize="${p.sizeBytes}" ImageWidth="${p.width}" ImageHeight="${p.height}"/>\n`,
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<ComicInfo xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n' +
    el('Title', book.title) +
    el('Series', meta.series) +
    el('Number', meta.number) +
    el('Summary', meta.summary) +
    el('Writer', meta.writer) +
    el('Penciller', meta.penciller) +
    el('Letterer', meta.letterer) +
    el('PageCount', pages.length) +
    el('LanguageISO', book.language) +
    // A storyboard (no scene art yet) is black and white; with art we cannot tell, so say nothing.
    el('BlackAndWhite', book.pages.every((p) => p.images.size === 0) ? 'Yes' : undefined) +
    el('Manga', book.readingDirection === 'rtl' ? 'YesAndRightToLeft' : book.language === 'ja' ? 'Yes' : 'No') +
    el('Characters', book.characters.map((c) => c.name).join(', ')) +
    `  <Pages>\n${pageEls}  </Pages>\n` +
    '</ComicInfo>\n'
  );
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

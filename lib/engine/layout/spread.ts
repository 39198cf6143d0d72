/**
 * Two-page spreads and page turns (MANGA-CRAFT.md: "Plan in two-page spreads; a big reveal
 * belongs on the first panel after a page turn").
 *
 * Page index 0 is the first page after the cover: it is a recto standing alone (the left page in
 * a right-to-left book, the right page in a left-to-right one — mirror images, so the rule below
 * is the same for both directions). After it, spreads are (1, 2), (3, 4), …: the reader turns the
 * leaf and reads page 1 first (the right page in rtl, the left page in ltr). So the pages a reader
 * reaches right after a page turn are index 0 and every odd index; the even pages after 0 are the
 * second half of a spread, already visible when the reader arrived at the spread.
 */
export function isAfterPageTurn(pageIndex: number): boolean {
  return pageIndex === 0 || pageIndex % 2 === 1;
}

/** Which side of the open book a page is on. */
export function pageSide(pageIndex: number, direction: 'rtl' | 'ltr'): 'left' | 'right' {
  const firstOfSpread = isAfterPageTurn(pageIndex) && pageIndex !== 0;
  const readFirstSide = direction === 'rtl' ? 'right' : 'left';
  const other = direction === 'rtl' ? 'left' : 'right';
  if (pageIndex === 0) return other; // a lone recto
  return firstOfSpread ? readFirstSide : other;
}

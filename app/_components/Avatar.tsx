/** A coloured initial; colour comes from presence so a person matches their caret. */
export function Avatar({ name, color, title }: { name: string; color: string; title?: string }) {
  const initial = Array.from(name.trim())[0]?.toUpperCase() ?? '?';
  return (
    <span className="avatar" style={{ background: color }} title={title ?? name} aria-label={title ?? name} role="img">
      {initial}
    </span>
  );
}

/** A stable colour for a name/id when nobody chose one (light enough for dark text on it). */
export function colorFor(seed: string): string {
  let h = 0;
  for (const ch of seed) h = (h * 31 + ch.codePointAt(0)!) >>> 0;
  return `hsl(${h % 360} 75% 70%)`;
}

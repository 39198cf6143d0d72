/**
 * One progress bar per phase on a terminal (redrawn in place); silent when not a TTY, where
 * the CLI prints one line per finished phase instead.
 */
const WIDTH = 24;

interface Row {
  fraction: number;
  message: string;
  doneMs: number | null;
}

export class ProgressBoard {
  private rows = new Map<string, Row>();
  private drawn = 0;

  constructor(
    private readonly names: readonly string[],
    private readonly out: NodeJS.WriteStream | null,
  ) {
    for (const name of names) this.rows.set(name, { fraction: 0, message: '', doneMs: null });
  }

  update(name: string, fraction: number, message: string): void {
    const row = this.rows.get(name);
    if (!row) return;
    row.fraction = Math.max(0, Math.min(1, fraction));
    row.message = message;
    this.draw();
  }

  done(name: string, ms: number): void {
    const row = this.rows.get(name);
    if (!row) return;
    row.fraction = 1;
    row.doneMs = ms;
    row.message = 'done';
    this.draw();
  }

  private draw(): void {
    if (!this.out) return;
    const cols = this.out.columns ?? 80;
    const lines = this.names.map((name) => {
      const row = this.rows.get(name)!;
      const filled = Math.round(row.fraction * WIDTH);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
      const tail = row.doneMs !== null ? `${row.doneMs} ms` : row.message;
      return `${name.padEnd(10)} ${bar} ${String(Math.round(row.fraction * 100)).padStart(3)}% ${tail}`.slice(0, cols - 1);
    });
    if (this.drawn) this.out.write(`\x1b[${this.drawn}A`);
    this.out.write(lines.map((l) => `\x1b[2K${l}\n`).join(''));
    this.drawn = lines.length;
  }
}

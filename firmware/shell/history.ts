// Command history: bounded, no two equal entries in a row, numbered like ksh's `history`.
export class History {
  private readonly entries: string[] = [];
  /** Number of the oldest kept entry (entries are numbered from 1 over the session). */
  private first = 1;
  readonly limit: number;

  constructor(limit = 500) {
    this.limit = Math.max(1, limit);
  }

  add(line: string): void {
    const l = line.replace(/\n+$/, "");
    if (l.trim() === "") return;
    if (this.entries[this.entries.length - 1] === l) return;
    this.entries.push(l);
    while (this.entries.length > this.limit) {
      this.entries.shift();
      this.first++;
    }
  }

  get length(): number {
    return this.entries.length;
  }

  /** Entry by index 0..length-1 (oldest first). */
  at(i: number): string | undefined {
    return this.entries[i];
  }

  list(): { n: number; line: string }[] {
    return this.entries.map((line, i) => ({ n: this.first + i, line }));
  }

  /** Replaces the contents (loading $HISTFILE). */
  load(lines: string[]): void {
    for (const l of lines) this.add(l);
  }
}

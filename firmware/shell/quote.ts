// Quoting a string so the shell reads it back as one word (`set`, `alias`, `printf %q`).

/** `it's` → `'it'\''s'`; plain words stay bare. */
export function shellQuote(s: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(s)) return s;
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

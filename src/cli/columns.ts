/** Text for a terminal: what it came from is untrusted (commit subjects, user IDs), and rows must fit their columns. */

// C0 and C1 controls (escape sequences could rewrite the screen) and bidirectional overrides (could reorder it)
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with whatever could move the cursor or reorder the line replaced by `?`, tabs and newlines by spaces. */
export function printable(text: string): string {
  return text.replace(/[\t\n]/g, ' ').replace(UNPRINTABLE, '?');
}

/** Columns a code point takes: 0 for combining marks and zero-width characters, 2 for wide (CJK, emoji) ones. */
function columnsOf(codePoint: number): number {
  if ((codePoint >= 0x300 && codePoint <= 0x36f) || (codePoint >= 0x200b && codePoint <= 0x200f) || (codePoint >= 0xfe00 && codePoint <= 0xfe0f)) return 0;
  const wide =
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1faff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd);
  return wide ? 2 : 1;
}

/** How many terminal columns `text` takes. */
export function columnsOfText(text: string): number {
  let columns = 0;
  for (const char of text) columns += columnsOf(char.codePointAt(0)!);
  return columns;
}

/** `text` cut to at most `width` columns, a `…` marking the cut. */
export function truncate(text: string, width: number): string {
  if (columnsOfText(text) <= width) return text;
  let kept = '';
  let columns = 0;
  for (const char of text) {
    const next = columnsOf(char.codePointAt(0)!);
    if (columns + next > width - 1) break;
    kept += char;
    columns += next;
  }
  return kept + '…';
}

/** `text` cut or padded to exactly `width` columns. */
export function fit(text: string, width: number): string {
  const cut = truncate(text, width);
  return cut + ' '.repeat(Math.max(0, width - columnsOfText(cut)));
}

/** `text` wrapped at spaces into lines of at most `width` columns (a longer word keeps its own line), the first after `first`, the others after `indent`. */
export function wrap(first: string, text: string, indent: string, width: number): string[] {
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const word of text.split(' ')) {
    if (!empty && columnsOfText(line) + 1 + columnsOfText(word) > width) {
      lines.push(line);
      line = indent + word;
    } else {
      line += (empty ? '' : ' ') + word;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}

/**
 * The part of Guile's `read` that Guix's policy files use: lists (`()` and `[]`), strings, symbols,
 * integers, `#t`/`#f`, quote forms, and the three comment kinds (`;`, `#;datum`, `#|…|#`). Anything else
 * is a `SexpError`: a policy file siggate cannot read exactly as Guile does authorizes nobody.
 */

/** One datum. */
export type Sexp =
  | { kind: 'list'; items: Sexp[] }
  | { kind: 'string'; value: string }
  | { kind: 'symbol'; name: string }
  | { kind: 'integer'; value: bigint }
  | { kind: 'boolean'; value: boolean };

/** Text that is not a datum this reader accepts. */
export class SexpError extends Error {}

const DELIMITERS = new Set(['(', ')', '[', ']', '"', ';', "'", '`', ',']);
const QUOTES: Record<string, string> = { "'": 'quote', '`': 'quasiquote', ',': 'unquote' };
const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', f: '\f', v: '\v', b: '\b', '0': '\0', '\\': '\\', '"': '"' };

/** The first datum of `text`, as Guile's `read` returns it; what follows it is ignored, as Guix ignores it. */
export function readFirstDatum(text: string): Sexp {
  const reader = new Reader(text);
  const datum = reader.next();
  if (datum === null) throw new SexpError('the file holds no datum');
  return datum;
}

class Reader {
  private at = 0;
  constructor(private readonly text: string) {}

  /** The next datum, or null at the end of the text. */
  next(): Sexp | null {
    this.skipAtmosphere();
    if (this.at >= this.text.length) return null;
    const c = this.text[this.at]!;
    if (c === '(' || c === '[') return this.readList(c === '(' ? ')' : ']');
    if (c === ')' || c === ']') throw new SexpError(`unexpected "${c}" at offset ${this.at}`);
    if (c === '"') return this.readString();
    if (c in QUOTES) {
      this.at += c === ',' && this.text[this.at + 1] === '@' ? 2 : 1;
      const quoted = this.required();
      return { kind: 'list', items: [{ kind: 'symbol', name: QUOTES[c]! }, quoted] };
    }
    return this.readAtom();
  }

  private required(): Sexp {
    const datum = this.next();
    if (datum === null) throw new SexpError('the text ends inside a datum');
    return datum;
  }

  private skipAtmosphere(): void {
    while (this.at < this.text.length) {
      const c = this.text[this.at]!;
      if (/\s/.test(c)) this.at++;
      else if (c === ';') this.skipLine();
      else if (c === '#' && this.text[this.at + 1] === '|') this.skipBlockComment();
      else if (c === '#' && this.text[this.at + 1] === ';') {
        this.at += 2;
        this.required();
      } else return;
    }
  }

  private skipLine(): void {
    const end = this.text.indexOf('\n', this.at);
    this.at = end < 0 ? this.text.length : end + 1;
  }

  // block comments nest in Guile
  private skipBlockComment(): void {
    let depth = 0;
    while (this.at < this.text.length) {
      if (this.text.startsWith('#|', this.at)) [depth, this.at] = [depth + 1, this.at + 2];
      else if (this.text.startsWith('|#', this.at)) {
        [depth, this.at] = [depth - 1, this.at + 2];
        if (depth === 0) return;
      } else this.at++;
    }
    throw new SexpError('unterminated block comment');
  }

  private readList(close: string): Sexp {
    this.at++;
    const items: Sexp[] = [];
    for (;;) {
      this.skipAtmosphere();
      if (this.at >= this.text.length) throw new SexpError('unterminated list');
      const c = this.text[this.at]!;
      if (c === ')' || c === ']') {
        if (c !== close) throw new SexpError(`"${c}" closes a list opened with the other bracket`);
        this.at++;
        return { kind: 'list', items };
      }
      items.push(this.required());
    }
  }

  private readString(): Sexp {
    let value = '';
    for (this.at++; this.at < this.text.length; ) {
      const c = this.text[this.at++]!;
      if (c === '"') return { kind: 'string', value };
      if (c !== '\\') {
        value += c;
        continue;
      }
      value += this.readEscape();
    }
    throw new SexpError('unterminated string');
  }

  private readEscape(): string {
    const c = this.text[this.at++];
    if (c === undefined) throw new SexpError('unterminated string');
    if (c in ESCAPES) return ESCAPES[c]!;
    if (c === '\n') {
      // a backslash-newline continues the string; leading blanks of the next line are dropped
      while (this.text[this.at] === ' ' || this.text[this.at] === '\t') this.at++;
      return '';
    }
    if (c === 'x') {
      const end = this.text.indexOf(';', this.at);
      const hex = end < 0 ? '' : this.text.slice(this.at, end);
      if (!/^[0-9a-fA-F]{1,6}$/.test(hex)) throw new SexpError('bad \\x escape in a string');
      this.at = end + 1;
      return String.fromCodePoint(parseInt(hex, 16));
    }
    throw new SexpError(`unknown escape \\${c} in a string`);
  }

  private readAtom(): Sexp {
    const start = this.at;
    while (this.at < this.text.length && !/\s/.test(this.text[this.at]!) && !DELIMITERS.has(this.text[this.at]!)) this.at++;
    const token = this.text.slice(start, this.at);
    if (/^[+-]?\d+$/.test(token)) return { kind: 'integer', value: BigInt(token) };
    if (token === '#t' || token === '#true') return { kind: 'boolean', value: true };
    if (token === '#f' || token === '#false') return { kind: 'boolean', value: false };
    // vectors, characters, dotted pairs, decimals, keywords: Guix's files have none; refuse rather than guess
    if (token.startsWith('#') || token === '.' || /^[+-]?[\d.]/.test(token) && token !== '+' && token !== '-' && token !== '...') {
      throw new SexpError(`unsupported token ${JSON.stringify(token.slice(0, 40))}`);
    }
    if (token === '') throw new SexpError(`unexpected character at offset ${start}`);
    return { kind: 'symbol', name: token };
  }
}

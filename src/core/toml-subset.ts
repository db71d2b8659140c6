/**
 * The subset of TOML that sequoia-git's `openpgp-policy.toml` uses: `[table."quoted".headers]`, `key =
 * value` with bare or quoted keys, basic and literal strings (single- and multi-line), booleans, decimal
 * integers, and arrays of those. Anything else (floats, dates, inline tables, arrays of tables, dotted
 * keys in an assignment) is an error: a file this reader cannot read exactly authorizes nobody.
 */

/** A value of the subset. Tables are maps: a key such as `__proto__` stays data. */
export type TomlValue = string | boolean | bigint | TomlValue[] | TomlTable;
export type TomlTable = Map<string, TomlValue>;

/** Why a file is outside the subset (or not TOML), with its line. */
export class TomlSubsetError extends Error {
  constructor(message: string, line: number) {
    super(`line ${line}: ${message}`);
  }
}

const BARE_KEY = /[A-Za-z0-9_-]/;
const ESCAPES: Readonly<Record<string, string>> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\' };

/** Parse a whole document into its root table. Throws `TomlSubsetError`. */
export function parseTomlSubset(text: string): TomlTable {
  return new Parser(text).document();
}

class Parser {
  private at = 0;
  private line = 1;
  private readonly root: TomlTable = new Map();
  /** Tables given a header or a value: TOML forbids defining either twice. */
  private readonly defined = new Set<TomlTable>();

  constructor(private readonly text: string) {}

  document(): TomlTable {
    let table = this.root;
    for (;;) {
      this.skipBlank();
      if (this.at >= this.text.length) return this.root;
      if (this.peek() === '[') table = this.header();
      else this.assignment(table);
      this.endOfLine();
    }
  }

  private header(): TomlTable {
    this.at++;
    if (this.peek() === '[') this.fail('arrays of tables are not used by openpgp-policy.toml');
    const path = this.dottedKey();
    this.expect(']');
    let table = this.root;
    for (const key of path) {
      const next = table.get(key);
      if (next === undefined) table.set(key, (table = new Map()));
      else if (next instanceof Map) table = next;
      else this.fail(`${JSON.stringify(key)} is already a value, not a table`);
    }
    if (this.defined.has(table)) this.fail(`table [${path.join('.')}] is defined twice`);
    this.defined.add(table);
    return table;
  }

  private assignment(table: TomlTable): void {
    const path = this.dottedKey();
    if (path.length !== 1) this.fail('dotted keys are not used by openpgp-policy.toml');
    this.skipSpaces();
    this.expect('=');
    this.skipSpaces();
    const key = path[0]!;
    if (table.has(key)) this.fail(`key ${JSON.stringify(key)} is defined twice`);
    table.set(key, this.value());
  }

  private dottedKey(): string[] {
    const keys: string[] = [];
    for (;;) {
      this.skipSpaces();
      keys.push(this.key());
      this.skipSpaces();
      if (this.peek() !== '.') return keys;
      this.at++;
    }
  }

  private key(): string {
    const c = this.peek();
    if (c === '"') return this.basicString();
    if (c === "'") return this.literalString();
    const start = this.at;
    while (this.at < this.text.length && BARE_KEY.test(this.text[this.at]!)) this.at++;
    if (this.at === start) this.fail('expected a key');
    return this.text.slice(start, this.at);
  }

  private value(): TomlValue {
    const rest = this.text.slice(this.at, this.at + 5);
    if (rest.startsWith('"""')) return this.multiLine('"');
    if (rest.startsWith("'''")) return this.multiLine("'");
    if (rest[0] === '"') return this.basicString();
    if (rest[0] === "'") return this.literalString();
    if (rest[0] === '[') return this.array();
    if (rest.startsWith('true') && !BARE_KEY.test(rest[4] ?? ' ')) return (this.at += 4), true;
    if (rest.startsWith('false') && !BARE_KEY.test(this.text[this.at + 5] ?? ' ')) return (this.at += 5), false;
    const integer = /^[+-]?(?:0|[1-9](?:_?[0-9])*)(?![0-9A-Za-z_.:+-])/.exec(this.text.slice(this.at, this.at + 64));
    if (integer) {
      this.at += integer[0].length;
      return BigInt(integer[0].replaceAll('_', ''));
    }
    return this.fail('unsupported value (openpgp-policy.toml uses strings, booleans, integers and arrays)');
  }

  private array(): TomlValue[] {
    this.at++;
    const items: TomlValue[] = [];
    for (;;) {
      this.skipBlank();
      if (this.peek() === ']') break;
      items.push(this.value());
      this.skipBlank();
      if (this.peek() === ',') this.at++;
      else if (this.peek() !== ']') this.fail('expected , or ] in an array');
    }
    this.at++;
    return items;
  }

  private basicString(): string {
    this.at++;
    let out = '';
    for (;;) {
      const c = this.next('an unterminated string');
      if (c === '"') return out;
      if (c === '\n') this.fail('a newline in a single-line string');
      out += c === '\\' ? this.escape() : this.plain(c);
    }
  }

  private literalString(): string {
    this.at++;
    let out = '';
    for (;;) {
      const c = this.next('an unterminated string');
      if (c === "'") return out;
      if (c === '\n') this.fail('a newline in a single-line string');
      out += this.plain(c);
    }
  }

  /** `"""…"""` or `'''…'''`: a newline right after the opening is dropped; up to two quotes may end the content. */
  private multiLine(quote: '"' | "'"): string {
    this.at += 3;
    if (this.text.startsWith('\r\n', this.at)) this.at += 2;
    else if (this.peek() === '\n') this.at++;
    let out = '';
    for (;;) {
      if (this.text.startsWith(quote.repeat(3), this.at)) {
        let extra = 0;
        while (extra < 2 && this.text[this.at + 3 + extra] === quote) extra++;
        this.at += 3 + extra;
        return out + quote.repeat(extra);
      }
      const c = this.next('an unterminated multi-line string');
      if (c === '\n') {
        this.line++;
        out += c;
      } else if (c === '\r' && this.peek() === '\n') out += '';
      else if (c === '\\' && quote === '"') out += this.multiLineEscape();
      else out += this.plain(c);
    }
  }

  private multiLineEscape(): string {
    const after = /^[ \t]*\r?\n/.exec(this.text.slice(this.at));
    if (!after) return this.escape();
    // a line-ending backslash drops every whitespace and newline up to the next content
    while (this.at < this.text.length && /[ \t\r\n]/.test(this.text[this.at]!)) {
      if (this.text[this.at] === '\n') this.line++;
      this.at++;
    }
    return '';
  }

  private escape(): string {
    const c = this.next('an unterminated escape');
    if (ESCAPES[c] !== undefined) return ESCAPES[c];
    const size = c === 'u' ? 4 : c === 'U' ? 8 : 0;
    const hex = this.text.slice(this.at, this.at + size);
    if (size === 0 || !new RegExp(`^[0-9A-Fa-f]{${size}}$`).test(hex)) this.fail(`invalid escape \\${c}`);
    const code = parseInt(hex, 16);
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) this.fail(`escape \\${c}${hex} is not a Unicode scalar value`);
    this.at += size;
    return String.fromCodePoint(code);
  }

  /** Control characters other than tab are not allowed in TOML strings. */
  private plain(c: string): string {
    const code = c.charCodeAt(0);
    if ((code < 0x20 && c !== '\t') || code === 0x7f) this.fail(`control character U+${code.toString(16).padStart(4, '0')} in a string`);
    return c;
  }

  private skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.at++;
  }

  /** Spaces, newlines and comments. */
  private skipBlank(): void {
    for (;;) {
      this.skipSpaces();
      const c = this.peek();
      if (c === '#') this.comment();
      else if (c === '\n') (this.at++, this.line++);
      else if (c === '\r' && this.text[this.at + 1] === '\n') ((this.at += 2), this.line++);
      else return;
    }
  }

  private comment(): void {
    while (this.at < this.text.length && this.peek() !== '\n') {
      const c = this.text[this.at]!;
      if (c === '\r' && this.text[this.at + 1] === '\n') return;
      this.plain(c);
      this.at++;
    }
  }

  private endOfLine(): void {
    this.skipSpaces();
    if (this.peek() === '#') this.comment();
    if (this.at >= this.text.length) return;
    if (this.peek() === '\n' || this.text.startsWith('\r\n', this.at)) return;
    this.fail('expected the end of the line');
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`expected ${c}`);
    this.at++;
  }

  private next(what: string): string {
    if (this.at >= this.text.length) this.fail(what);
    return this.text[this.at++]!;
  }

  private peek(): string | undefined {
    return this.text[this.at];
  }

  private fail(message: string): never {
    throw new TomlSubsetError(message, this.line);
  }
}

/** ASCII armor (RFC 9580 §6), decoded strictly and in linear time. */

const SIGNATURE = 'PGP SIGNATURE';
const CRC24_INIT = 0xb704ce;
const CRC24_POLY = 0x1864cfb;
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;
const KEY_BLOCK = /^-----BEGIN PGP (PUBLIC|PRIVATE) KEY BLOCK-----\s*$/;

/**
 * The binary packets of an armored signature, or why the armor is unusable. Header lines are allowed
 * and ignored; a checksum line, when present, must match (GnuPG refuses a CRC error too).
 */
export function dearmorSignature(armored: string): Uint8Array | string {
  const lines = (armored.includes('\r') ? armored.replaceAll('\r', '') : armored).split('\n');
  let end = lines.length;
  while (end > 0 && lines[end - 1]!.trim() === '') end--;
  if (end === 0 || lines[0]!.trim() !== `-----BEGIN ${SIGNATURE}-----`) return 'signature block does not start with the PGP SIGNATURE armor line';
  if (lines[end - 1]!.trim() !== `-----END ${SIGNATURE}-----`) return 'signature block does not end with the PGP SIGNATURE armor line';
  return decodeBody(lines, 1, end - 1, 'armored signature');
}

/** One armored key block found in a text, decoded, or why it cannot be. */
export interface ArmoredKeyBlock {
  kind: 'public' | 'private';
  /** 1-based line of the BEGIN line. */
  line: number;
  data: Uint8Array | string;
}

/**
 * Every `BEGIN PGP PUBLIC/PRIVATE KEY BLOCK` … `END` block of a text, in one pass. A block that is
 * not closed before the text ends, or before another block begins, is reported as a problem.
 */
export function findArmoredKeyBlocks(text: string): ArmoredKeyBlock[] {
  const blocks: ArmoredKeyBlock[] = [];
  let open: { kind: 'public' | 'private'; line: number; body: string[] } | null = null;
  // line by line with indexOf: a 16 MB file is never split into one array of all its lines
  for (let pos = 0, number = 1; pos <= text.length; number++) {
    const newline = text.indexOf('\n', pos);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(pos, end).replace(/\r$/, '');
    pos = end + 1;
    const begin = line.startsWith('-----BEGIN PGP ') ? KEY_BLOCK.exec(line) : null;
    if (begin) {
      if (open) blocks.push({ kind: open.kind, line: open.line, data: `the key block at line ${open.line} is not closed before the next one begins` });
      open = { kind: begin[1] === 'PUBLIC' ? 'public' : 'private', line: number, body: [] };
    } else if (open && line.trim() === `-----END PGP ${open.kind === 'public' ? 'PUBLIC' : 'PRIVATE'} KEY BLOCK-----`) {
      blocks.push({ kind: open.kind, line: open.line, data: decodeBody(open.body, 0, open.body.length, 'armored key') });
      open = null;
    } else if (open) {
      open.body.push(line);
    }
    if (newline === -1) break;
  }
  if (open) blocks.push({ kind: open.kind, line: open.line, data: `the key block at line ${open.line} has no END line` });
  return blocks;
}

/** The data of an armored block's inner lines `lines[from..to)`: header lines, a blank line, base64, an optional checksum. */
function decodeBody(lines: readonly string[], from: number, to: number, what: string): Uint8Array | string {
  let i = from;
  while (i < to && lines[i]!.trim() !== '') {
    if (!/^[^:\s][^:]*: /.test(lines[i]!)) return i === from ? `${what} lacks the blank line before its data` : 'invalid armor header line';
    i++;
  }
  const body: string[] = [];
  for (let j = i + 1; j < to; j++) {
    const line = lines[j]!.trim();
    if (line !== '') body.push(line);
  }
  let checksum: string | null = null;
  if (body.length > 0 && body.at(-1)!.startsWith('=')) checksum = body.pop()!.slice(1);
  if (body.length === 0) return `${what} holds no data`;
  const joined = body.join('');
  const data = Buffer.from(joined, 'base64');
  // Node's decoder skips what is not base64, so the data is checked: canonical base64 encodes back to
  // itself (the usual block, one native call); anything else must pass the pattern, joined or line by line
  if (data.toString('base64') !== joined && !BASE64_LINE.test(joined) && !body.every((line) => BASE64_LINE.test(line))) return `${what} data is not base64`;
  if (data.length === 0) return `${what} holds no data`;
  if (checksum !== null && (!/^[A-Za-z0-9+/]{4}$/.test(checksum) || Buffer.from(checksum, 'base64').readUIntBE(0, 3) !== crc24(data))) {
    return 'armor checksum does not match (the block was damaged)';
  }
  return data;
}

/** Armors binary signature packets (a `.sig` file) so they take the same path as an armored block. */
export function armorSignature(packets: Uint8Array): string {
  const base64 = Buffer.from(packets).toString('base64').replace(/.{1,64}/g, '$&\n');
  const crc = crc24(packets);
  const checksum = Buffer.from([crc >>> 16, (crc >>> 8) & 0xff, crc & 0xff]).toString('base64');
  return `-----BEGIN ${SIGNATURE}-----\n\n${base64}=${checksum}\n-----END ${SIGNATURE}-----\n`;
}

let table: Uint32Array | null = null;

function crc24(data: Uint8Array): number {
  table ??= buildTable();
  let crc = CRC24_INIT;
  for (let i = 0; i < data.length; i++) crc = ((crc << 8) ^ table[((crc >>> 16) ^ data[i]!) & 0xff]!) & 0xffffff;
  return crc;
}

function buildTable(): Uint32Array {
  const out = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let crc = n << 16;
    for (let bit = 0; bit < 8; bit++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= CRC24_POLY;
    }
    out[n] = crc & 0xffffff;
  }
  return out;
}

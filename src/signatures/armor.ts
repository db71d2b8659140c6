/** ASCII armor of an OpenPGP signature block (RFC 4880 §6), decoded strictly. */

const BEGIN = '-----BEGIN PGP SIGNATURE-----';
const END = '-----END PGP SIGNATURE-----';
const CRC24_INIT = 0xb704ce;
const CRC24_POLY = 0x1864cfb;
const BASE64_LINE = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * The binary packets of an armored signature, or why the armor is unusable. Header lines are allowed
 * and ignored; a checksum line, when present, must match (GnuPG refuses a CRC error too).
 */
export function dearmorSignature(armored: string): Uint8Array | string {
  const lines = armored.replace(/\r/g, '').split('\n');
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  if (lines[0]?.trim() !== BEGIN) return 'signature block does not start with the PGP SIGNATURE armor line';
  if (lines.at(-1)?.trim() !== END) return 'signature block does not end with the PGP SIGNATURE armor line';
  let i = 1;
  while (i < lines.length - 1 && lines[i]!.trim() !== '') {
    if (!/^[^:\s][^:]*: /.test(lines[i]!)) return i === 1 ? 'armor lacks the blank line before its data' : 'invalid armor header line';
    i++;
  }
  const body = lines.slice(i + 1, -1).map((line) => line.trim()).filter((line) => line !== '');
  let checksum: string | null = null;
  if (body.length > 0 && body.at(-1)!.startsWith('=')) checksum = body.pop()!.slice(1);
  if (body.length === 0) return 'armored signature holds no data';
  if (!body.every((line) => BASE64_LINE.test(line))) return 'armored signature data is not base64';
  const data = Buffer.from(body.join(''), 'base64');
  if (data.length === 0) return 'armored signature holds no data';
  if (checksum !== null && (!/^[A-Za-z0-9+/]{4}$/.test(checksum) || Buffer.from(checksum, 'base64').readUIntBE(0, 3) !== crc24(data))) {
    return 'armor checksum does not match (the signature block was damaged)';
  }
  return data;
}

/** Armors binary signature packets (a `.sig` file) so they take the same path as an armored block. */
export function armorSignature(packets: Uint8Array): string {
  const base64 = Buffer.from(packets).toString('base64').replace(/.{1,64}/g, '$&\n');
  const checksum = Buffer.from([crc24(packets) >>> 16, (crc24(packets) >>> 8) & 0xff, crc24(packets) & 0xff]).toString('base64');
  return `${BEGIN}\n\n${base64}=${checksum}\n${END}\n`;
}

let table: Uint32Array | null = null;

function crc24(data: Uint8Array): number {
  table ??= buildTable();
  let crc = CRC24_INIT;
  for (const byte of data) crc = ((crc << 8) ^ table[((crc >>> 16) ^ byte) & 0xff]!) & 0xffffff;
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

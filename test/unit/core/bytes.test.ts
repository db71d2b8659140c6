import { describe, expect, it } from 'vitest';
import { decodeText } from '../../../src/core/bytes.js';
import { isoSeconds } from '../../../src/core/report.js';

describe('decodeText', () => {
  it('decodes with the encoding a commit names, the same decoder serving every call', () => {
    const latin1 = Buffer.from([0x63, 0x61, 0x66, 0xe9]);
    expect(decodeText(latin1, 'ISO-8859-1')).toBe('café');
    expect(decodeText(latin1, ' latin-1 ')).toBe('café');
    expect(decodeText(Buffer.from('café', 'utf8'), 'UTF-8')).toBe('café');
    expect(decodeText(Buffer.from('café', 'utf8'), 'utf-8')).toBe('café');
  });

  it('an unknown encoding falls back to UTF-8 with replacement, every time it is asked', () => {
    for (let i = 0; i < 3; i++) expect(decodeText(Buffer.from([0x61, 0xff]), 'x-no-such-encoding')).toBe('a\ufffd');
  });

  it('drops a UTF-8 byte order mark, as TextDecoder does', () => {
    expect(decodeText(Buffer.from([0xef, 0xbb, 0xbf, 0x61]), 'utf-8')).toBe('a');
  });

  it('many distinct labels still decode (only a bounded number are remembered)', () => {
    for (let i = 0; i < 100; i++) expect(decodeText(Buffer.from('ok'), `x-unknown-${i}`)).toBe('ok');
  });
});

describe('isoSeconds', () => {
  it('prints UTC to the second, milliseconds dropped', () => {
    expect(isoSeconds(new Date('2026-11-29T14:24:00.999Z'))).toBe('2026-11-29T14:24:00Z');
    expect(isoSeconds(new Date(0))).toBe('1970-01-01T00:00:00Z');
    expect(isoSeconds(new Date(-1500))).toBe('1969-12-31T23:59:58Z');
  });

  it('keeps the extended years of far dates', () => {
    expect(isoSeconds(new Date(8.64e15))).toBe('+275760-09-13T00:00:00Z');
  });
});

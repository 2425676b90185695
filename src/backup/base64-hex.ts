import type { TextOut } from './bulk-text.js';

/** Each base64 character's 6 bits; -1 for a byte that is not one (padding included). */
const SEXTET = new Int8Array(256).fill(-1);
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
for (let i = 0; i < ALPHABET.length; i++) SEXTET[ALPHABET.charCodeAt(i)] = i;
const HEX_DIGIT = Buffer.from('0123456789abcdef', 'latin1');
const EQUALS = 0x3d;

/**
 * Writes the bytes that the base64 text src[from, to) holds as lowercase hex, straight from byte to byte: a restore
 * turns every binary value of a backup into bulk text's hex, and going through a decoded Buffer and a hex string
 * would allocate twice per value. Returns false, having written nothing, for text the backup format does not
 * allow (decode.ts's BASE64: whole quartets, `=` only as one or two final padding characters); the bits padding
 * leaves over are ignored, as every base64 decoder does.
 */
export function writeBase64AsHex(src: Buffer, from: number, to: number, out: TextOut): boolean {
  const length = to - from;
  if (length % 4 !== 0) return false;
  let padding = 0;
  if (length > 0 && src[to - 1] === EQUALS) padding = src[to - 2] === EQUALS ? 2 : 1;
  out.reserve((length / 4) * 6);
  const buf = out.buf;
  let at = out.length;
  const whole = to - (padding > 0 ? 4 : 0);
  for (let p = from; p < whole; p += 4) {
    const a = SEXTET[src[p]!]!;
    const b = SEXTET[src[p + 1]!]!;
    const c = SEXTET[src[p + 2]!]!;
    const d = SEXTET[src[p + 3]!]!;
    if ((a | b | c | d) < 0) return false;
    const bits = (a << 18) | (b << 12) | (c << 6) | d;
    buf[at++] = HEX_DIGIT[bits >>> 20]!;
    buf[at++] = HEX_DIGIT[(bits >>> 16) & 15]!;
    buf[at++] = HEX_DIGIT[(bits >>> 12) & 15]!;
    buf[at++] = HEX_DIGIT[(bits >>> 8) & 15]!;
    buf[at++] = HEX_DIGIT[(bits >>> 4) & 15]!;
    buf[at++] = HEX_DIGIT[bits & 15]!;
  }
  if (padding > 0) {
    // The last quartet: two characters and `==` hold one byte, three and `=` hold two.
    const a = SEXTET[src[whole]!]!;
    const b = SEXTET[src[whole + 1]!]!;
    const c = padding === 1 ? SEXTET[src[whole + 2]!]! : 0;
    if ((a | b | c) < 0) return false;
    const bits = (a << 18) | (b << 12) | (c << 6);
    buf[at++] = HEX_DIGIT[bits >>> 20]!;
    buf[at++] = HEX_DIGIT[(bits >>> 16) & 15]!;
    if (padding === 1) {
      buf[at++] = HEX_DIGIT[(bits >>> 12) & 15]!;
      buf[at++] = HEX_DIGIT[(bits >>> 8) & 15]!;
    }
  }
  out.length = at;
  return true;
}

/** Each hex digit's 4 bits (either case); -1 for a byte that is not one. */
const NIBBLE = new Int8Array(256).fill(-1);
for (let i = 0; i < 16; i++) {
  NIBBLE['0123456789abcdef'.charCodeAt(i)] = i;
  NIBBLE['0123456789ABCDEF'.charCodeAt(i)] = i;
}
const BASE64_DIGIT = Buffer.from(ALPHABET, 'latin1');

/**
 * The reverse, for a backup written from lines a source formatted: the bytes that the hex text src[from, to) holds
 * (SQLite's hex(), upper case) written as padded base64. Returns false, having written nothing, for an odd number of
 * digits or a byte that is not one.
 */
export function writeHexAsBase64(src: Buffer, from: number, to: number, out: TextOut): boolean {
  const length = to - from;
  if (length % 2 !== 0) return false;
  const bytes = length / 2;
  out.reserve(Math.ceil(bytes / 3) * 4);
  const buf = out.buf;
  let at = out.length;
  const whole = from + Math.floor(bytes / 3) * 6;
  for (let p = from; p < whole; p += 6) {
    const bits =
      (NIBBLE[src[p]!]! << 20) |
      (NIBBLE[src[p + 1]!]! << 16) |
      (NIBBLE[src[p + 2]!]! << 12) |
      (NIBBLE[src[p + 3]!]! << 8) |
      (NIBBLE[src[p + 4]!]! << 4) |
      NIBBLE[src[p + 5]!]!;
    // A -1 anywhere sets every bit above the 24 a triple uses.
    if (bits < 0) return false;
    buf[at++] = BASE64_DIGIT[bits >>> 18]!;
    buf[at++] = BASE64_DIGIT[(bits >>> 12) & 63]!;
    buf[at++] = BASE64_DIGIT[(bits >>> 6) & 63]!;
    buf[at++] = BASE64_DIGIT[bits & 63]!;
  }
  const left = to - whole;
  if (left > 0) {
    // One byte left gives two characters and `==`, two give three and `=`.
    const hi = (NIBBLE[src[whole]!]! << 4) | NIBBLE[src[whole + 1]!]!;
    const lo = left === 4 ? (NIBBLE[src[whole + 2]!]! << 4) | NIBBLE[src[whole + 3]!]! : 0;
    if ((hi | lo) < 0) return false;
    const bits = (hi << 16) | (lo << 8);
    buf[at++] = BASE64_DIGIT[bits >>> 18]!;
    buf[at++] = BASE64_DIGIT[(bits >>> 12) & 63]!;
    buf[at++] = left === 4 ? BASE64_DIGIT[(bits >>> 6) & 63]! : EQUALS;
    buf[at++] = EQUALS;
  }
  out.length = at;
  return true;
}

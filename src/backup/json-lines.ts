import { isUtf8 } from 'node:buffer';
import { BINARY_MARK, type JsonLinesFormat } from '../core/bulk-text.js';
import { writeHexAsBase64 } from './base64-hex.js';
import { TextOut } from './bulk-text.js';

/** The lines of a backup's data files, as a source may format them itself (core/bulk-text.ts). */
export const BACKUP_LINES: JsonLinesFormat = { kind: 'json-lines', name: 'ferry backup lines' };

const QUOTE = 0x22;

/**
 * A chunk of lines a source formatted, made into the backup's own: each binary value's hex digits, which arrive
 * between two BINARY_MARK bytes, become its base64 string. A chunk without binary values is returned as it is.
 * Undefined when the chunk is not UTF-8 (SQLite keeps any bytes as text): the batch then goes by values, where such
 * text is refused with its reason.
 */
export function finishLines(chunk: Buffer): Buffer | undefined {
  if (!isUtf8(chunk)) return undefined;
  let mark = chunk.indexOf(BINARY_MARK);
  if (mark < 0) return chunk;
  // Each value grows by two bytes at most (one byte: 2 digits and 2 marks → 4 characters and 2 quotes).
  const out = new TextOut(chunk.length + 1024);
  let from = 0;
  while (mark >= 0) {
    const close = chunk.indexOf(BINARY_MARK, mark + 1);
    out.copy(chunk, from, mark);
    out.byte(QUOTE);
    // No line holds the mark but around hex digits (json-lines.ts of each engine): anything else is ferry's mistake.
    if (close < 0 || !writeHexAsBase64(chunk, mark + 1, close, out)) throw new Error('a source formatted a binary value that is not hex');
    out.byte(QUOTE);
    from = close + 1;
    mark = chunk.indexOf(BINARY_MARK, from);
  }
  out.copy(chunk, from, chunk.length);
  return out.buf.subarray(0, out.length);
}

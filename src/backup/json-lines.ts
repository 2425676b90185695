import { isUtf8 } from 'node:buffer';
import { BINARY_MARK, type JsonLinesFormat } from '../core/bulk-text.js';
import { writeHexAsBase64 } from './base64-hex.js';
import { TextOut } from './bulk-text.js';

/** The lines of a backup's data files, as a source may format them itself (core/bulk-text.ts). */
export const BACKUP_LINES: JsonLinesFormat = { kind: 'json-lines', name: 'ferry backup lines' };

const QUOTE = 0x22;

/**
 * A batch's chunks of lines, as the source formatted them, made into the backup's own text in one buffer: each
 * binary value's hex digits, which arrive between two BINARY_MARK bytes, become its base64 string. A single chunk
 * without binary values is returned as it is. Undefined when a chunk is not UTF-8 (SQLite keeps any bytes as text):
 * the batch then goes by values, where such text is refused with its reason.
 */
export function finishLines(chunks: Buffer[]): Buffer | undefined {
  if (!chunks.every((chunk) => isUtf8(chunk))) return undefined;
  if (chunks.length === 1 && chunks[0]!.indexOf(BINARY_MARK) < 0) return chunks[0];
  // Each binary value grows by two bytes at most (one byte: 2 digits and 2 marks → 4 characters and 2 quotes).
  const out = new TextOut(chunks.reduce((n, chunk) => n + chunk.length, 0) + 64 * 1024);
  for (const chunk of chunks) {
    let from = 0;
    for (let mark = chunk.indexOf(BINARY_MARK); mark >= 0; mark = chunk.indexOf(BINARY_MARK, from)) {
      const close = chunk.indexOf(BINARY_MARK, mark + 1);
      out.copy(chunk, from, mark);
      out.byte(QUOTE);
      // No line holds the mark but around hex digits (engines/sql/bulk-text.ts): anything else is ferry's mistake.
      if (close < 0 || !writeHexAsBase64(chunk, mark + 1, close, out)) throw new Error('a source formatted a binary value that is not hex');
      out.byte(QUOTE);
      from = close + 1;
    }
    out.copy(chunk, from, chunk.length);
  }
  return out.buf.subarray(0, out.length);
}

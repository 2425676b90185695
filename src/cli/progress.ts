import type { RunEvent } from '../run/events.js';
import { count } from './format.js';

/**
 * Shows run events on stderr: on a terminal, a live bar per table (rows, rows/s, ETA); otherwise plain lines
 * (one per table and phase, and one every few seconds for a long table), fit for logs.
 */
export class ProgressView {
  private readonly tty: boolean;
  private readonly started = new Map<string, { at: number; from: number }>();
  private readonly lines: string[] = [];
  private lastPlain = 0;
  private drawn = 0;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    private readonly quiet = false,
  ) {
    this.tty = out.isTTY === true && process.env.TERM !== 'dumb';
  }

  readonly listener = (event: RunEvent): void => {
    if (this.quiet) return;
    switch (event.type) {
      case 'phase':
        if (event.phase !== 'indexes') this.print(`${event.phase}${event.detail ? `: ${event.detail}` : ''}`);
        break;
      case 'log':
        this.print(`${event.level === 'warn' ? 'warning: ' : ''}${event.message}`);
        break;
      case 'table-start':
        this.started.set(event.table, { at: performance.now(), from: event.rowsDone });
        if (this.tty) this.lines.push(this.bar(event.table, event.rowsDone, event.rowsTotal, 0));
        this.redraw();
        break;
      case 'table-progress':
        if (this.tty) {
          this.lines[this.lines.length - 1] = this.bar(event.table, event.rowsDone, event.rowsTotal, event.rejected);
          this.redraw();
        } else if (performance.now() - this.lastPlain > 5000) {
          this.lastPlain = performance.now();
          this.out.write(`  ${event.table}: ${count(event.rowsDone)} of ${count(event.rowsTotal)} rows\n`);
        }
        break;
      case 'table-done': {
        const rate = event.seconds > 0 ? Math.round(event.rows / event.seconds) : event.rows;
        const text = `  ${event.table}: ${count(event.rows)} rows${event.rejected ? `, ${count(event.rejected)} rejected` : ''} (${count(rate)} rows/s)`;
        if (this.tty) {
          this.lines[this.lines.length - 1] = text;
          this.redraw();
        } else this.out.write(`${text}\n`);
        break;
      }
    }
  };

  private bar(table: string, done: number, total: number, rejected: number): string {
    const width = 24;
    const fraction = total > 0 ? Math.min(1, done / total) : 1;
    const filled = Math.round(fraction * width);
    const start = this.started.get(table);
    const elapsed = start ? (performance.now() - start.at) / 1000 : 0;
    const rate = elapsed > 0 ? (done - (start?.from ?? 0)) / elapsed : 0;
    const eta = rate > 0 && total > done ? `ETA ${Math.ceil((total - done) / rate)} s` : '';
    return `  ${table.padEnd(20)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${count(done)}/${count(total)} ${count(Math.round(rate))} rows/s ${eta}${rejected ? ` ${rejected} rejected` : ''}`;
  }

  private print(text: string): void {
    if (this.tty) {
      this.lines.push(text);
      this.redraw();
    } else this.out.write(`${text}\n`);
  }

  /** Rewrites only the lines still on screen; finished lines scroll away untouched. */
  private redraw(): void {
    if (!this.tty) return;
    if (this.drawn > 0) this.out.write(`\x1b[${this.drawn}A`);
    const visible = this.lines.slice(-1);
    const settled = this.lines.slice(0, -1);
    for (const l of settled) this.out.write(`\x1b[2K${l}\n`);
    for (const l of visible) this.out.write(`\x1b[2K${l}\n`);
    this.lines.splice(0, settled.length);
    this.drawn = visible.length;
  }
}

/**
 * Fault injection for the resume tests: `FERRY_FAULT=<point>` makes the process kill itself with SIGKILL, with no
 * chance to clean up, the first time the run reaches that point. Unset in normal use. Points:
 *
 * - `schema`: the tables are created, the state file not yet updated;
 * - `copy:<table>`: before the table's first batch (between tables);
 * - `data:<table>:<rows>`: once at least that many rows of the table are committed;
 * - `uncommitted:<table>:<rows>`: the same, but inside the batch's transaction, before it commits;
 * - `index:<table>`: before the table's indexes are built;
 * - `constraints`, `verify`: before those phases.
 *
 * `stop@<point>` sends SIGSTOP instead: the process freezes there, holding what it holds (the run lock), until it
 * gets SIGCONT. It stops once.
 */
const setting = process.env.FERRY_FAULT ?? '';
const stop = setting.startsWith('stop@');
let fault = stop ? setting.slice('stop@'.length) : setting;

export function faultPoint(point: string, rows?: number): void {
  if (!fault) return;
  let reached: boolean;
  if (rows === undefined) reached = fault === point;
  else {
    const at = fault.lastIndexOf(':');
    reached = fault.slice(0, at) === point && rows >= Number(fault.slice(at + 1));
  }
  if (!reached) return;
  if (!stop) {
    process.kill(process.pid, 'SIGKILL');
    return;
  }
  fault = '';
  process.kill(process.pid, 'SIGSTOP');
}

/**
 * Fault injection for the resume tests: `FERRY_FAULT=<point>` makes the process kill itself with SIGKILL, with no
 * chance to clean up, the first time the run reaches that point. Points: `schema`, `data:<table>:<rows>` (once at
 * least that many rows of the table are committed), `index:<table>`, `constraints`, `verify`. Unset in normal use.
 */
const fault = process.env.FERRY_FAULT;

export function faultPoint(point: string, rows?: number): void {
  if (!fault) return;
  if (rows === undefined) {
    if (fault === point) process.kill(process.pid, 'SIGKILL');
    return;
  }
  const at = fault.lastIndexOf(':');
  if (fault.slice(0, at) === point && rows >= Number(fault.slice(at + 1))) process.kill(process.pid, 'SIGKILL');
}

/**
 * Typed progress events. Every long operation reports through one of these, and the CLI, the dashboard and
 * library users listen to the same stream.
 */
export type RunEvent =
  | { type: 'phase'; phase: 'schema' | 'data' | 'indexes' | 'constraints' | 'verify'; detail?: string }
  | { type: 'table-start'; table: string; rowsTotal: number; rowsDone: number }
  | { type: 'table-progress'; table: string; rowsDone: number; rowsTotal: number; rejected: number }
  | { type: 'table-done'; table: string; rows: number; rejected: number; seconds: number }
  | { type: 'log'; level: 'info' | 'warn'; message: string };

export type EventListener = (event: RunEvent) => void;

/** A listener that ignores everything, for callers that do not watch progress. */
export const ignoreEvents: EventListener = () => {};

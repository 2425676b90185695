import type pg from 'pg';
import { FerryError, safeMessage } from '../../core/errors.js';
import { pgSecrets } from './connect.js';
import { type PgEndpoint } from './endpoint.js';

/** Thrown inside a transaction to roll it back without an error: the caller catches it (see PgWriter). */
export const GIVE_UP = Symbol('give up the transaction');

/**
 * One connection of a writer, whose operations run one after another: two never share a transaction, whatever the
 * caller's concurrency.
 */
export class PgSession {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly client: pg.Client,
    private readonly endpoint: PgEndpoint,
  ) {}

  /** Runs `work` after every earlier operation of this session has finished. */
  exclusive<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const run = this.queue.then(
      () => work(this.client),
      () => work(this.client),
    );
    this.queue = run.catch(() => {});
    return run;
  }

  /** Runs `work` in one transaction (rolled back on any failure, reported as `what`), after the earlier operations. */
  transaction<T>(what: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
    return this.exclusive(async (client) => {
      await client.query('BEGIN');
      try {
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (e) {
        await client.query('ROLLBACK').catch(() => {});
        if (e instanceof FerryError || e === GIVE_UP) throw e;
        const { code, detail } = e as { code?: string; detail?: string };
        const message = `${this.endpoint.description}: ${what}: ${safeMessage(e, pgSecrets(this.endpoint))}${detail ? ` (${detail.slice(0, 300)})` : ''}`;
        // A unique key or index built after the data meets two equal values: values distinct in the source that are
        // one value in the target (a UUID's case, a timestamp's time zone).
        const hint =
          code === '23505'
            ? 'two rows have the same value here (it may differ only in spelling in the source): fix them in the source, then run the same command again to resume'
            : undefined;
        throw new FerryError('failed', message, { cause: e, hint });
      }
    });
  }

  /** Ends the connection once the operations already asked for have finished. */
  async close(): Promise<void> {
    await this.queue.catch(() => {});
    await this.client.end().catch(() => {});
  }
}

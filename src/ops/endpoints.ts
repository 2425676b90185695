import type { DatasetReader, DatasetWriter } from '../core/dataset.js';
import { FerryError, redactUrl } from '../core/errors.js';
import { engineFor } from '../engines/registry.js';

/**
 * Opens endpoints by URL. Later formats (backup folders, archives, remote ferries) join here, so that every
 * operation accepts every kind of endpoint.
 */
export async function openSource(endpoint: string, tables?: (name: string) => boolean): Promise<DatasetReader> {
  return engineFor(endpoint).openReader(endpoint, { tables });
}

export async function openTarget(endpoint: string): Promise<DatasetWriter> {
  return engineFor(endpoint).openWriter(endpoint, { create: true });
}

/** Refuses to use one database as both source and target: the run would read what it writes. */
export function checkDistinct(source: DatasetReader, targetEndpoint: string): void {
  const engine = engineFor(targetEndpoint);
  const target = engine.describe?.(targetEndpoint) ?? redactUrl(targetEndpoint);
  if (source.description === target) {
    throw new FerryError('usage', `the source and the target are the same database (${target})`, {
      hint: 'name a new target database',
    });
  }
}

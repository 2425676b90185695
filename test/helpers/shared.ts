import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The workplace's shared folder (sample datasets, reference documents): `../shared` beside the repository, or
 * FERRY_SHARED for a clone elsewhere. FERRY_DATASETS still names the datasets alone.
 */
export const SHARED = process.env.FERRY_SHARED ?? resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../shared');
export const DATASETS = process.env.FERRY_DATASETS ?? resolve(SHARED, 'datasets');

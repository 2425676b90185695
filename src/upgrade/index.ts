/**
 * The app-pack API: what a pack author imports (`definePack`, `defineHop`, `defineSchema`, `table`, `col`), and what
 * ferry's operations use to run packs (`loadPack`, `planUpgrade`, `applyPath`, `preflight`). Test helpers for packs
 * are in `./testing.js`. See docs/writing-a-pack.md.
 */
export { col, Col, type ColumnSpec } from './columns.js';
export { defineSchema, table, toTableSchema, type RowOf, type SchemaDef, type TableDef, type TableOptions } from './schema.js';
export { definePack, defineHop, isPack, type Expectation } from './define.js';
export { PackDefinitionError } from './conversions.js';
export { loadPack, shippedPacks } from './load.js';
export { detectVersion, findPath, planUpgrade, type UpgradePath } from './path.js';
export { applyPath, preflight, UpgradedReader, type UpgradeContext } from './apply.js';
export type { UpgradeEvent } from './runtime.js';
export type { FileMove } from './files.js';
export type { HopLedger, RunAccount, TableLedger } from './ledger.js';
export type * from './types.js';
export { parseIni, type IniFile } from './ini.js';
export { withTablePrefix } from './prefix.js';
export { parseSets, readAppConfig, resolveInputs } from './inputs.js';

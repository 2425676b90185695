import { FerryError } from '../core/errors.js';
import { loadPack, readAppConfig, resolveInputs } from '../upgrade/index.js';
import type { UpgradeSelection } from './upgrade.js';

/** How the user named the two ends and the pack's inputs, before the application's config files are read. */
export interface AppEndpointOptions extends Partial<UpgradeSelection> {
  /** The application's own config file, for the source (`--app-config`): its database, table prefix, inputs. */
  appConfig?: string;
  /** The new version's config file, for the target (`--target-config`): its database. */
  targetConfig?: string;
  /** `--set name=value` inputs, which win over the config file's. */
  sets?: Record<string, string>;
}

/**
 * The endpoints and pack inputs of a run: an endpoint given on the command line wins; otherwise it comes from the
 * application's config file, read by the pack (Cloudreve's conf.ini: its [Database] section). Refuses config files
 * and inputs without --app, and a run that ends up with no source.
 */
export async function appEndpoints(
  options: AppEndpointOptions,
  given: { source?: string; target?: string },
  needs: { target: boolean },
): Promise<{ source: string; target?: string; selection: Partial<UpgradeSelection> }> {
  const usesApp =
    options.appConfig || options.targetConfig || (options.sets && Object.keys(options.sets).length > 0) || options.tablePrefix;
  if (usesApp && !options.app) {
    throw new FerryError('usage', '--app-config, --target-config, --set and --table-prefix need --app', {
      hint: 'name the application: --app cloudreve',
    });
  }
  let source = given.source;
  let target = given.target;
  const selection: Partial<UpgradeSelection> = { app: options.app, from: options.from, to: options.to, tablePrefix: options.tablePrefix };
  if (options.app) {
    const pack = await loadPack(options.app);
    const config = options.appConfig ? readAppConfig(pack, 'source', options.appConfig) : {};
    const targetConfig = options.targetConfig ? readAppConfig(pack, 'target', options.targetConfig) : {};
    source ??= config.database;
    target ??= targetConfig.database;
    selection.inputs = resolveInputs(pack, config.inputs ?? {}, options.sets ?? {});
    selection.tablePrefix ??= config.tablePrefix;
  }
  if (!source) {
    throw new FerryError('usage', 'no source: give SOURCE, or --app-config with the application config file that names its database', {
      hint: 'see ferry migrate --help',
    });
  }
  if (needs.target && !target) {
    throw new FerryError('usage', 'no target: give TARGET, or --target-config with the new version config file', {
      hint: 'see ferry migrate --help',
    });
  }
  return { source, target, selection };
}

import { definePack } from '../../src/upgrade/index.js';
import { readConfIni } from './conf-ini.js';
import { detectCloudreve } from './detect.js';
import { hop2to3 } from './hop-2-to-3.js';
import { hop3to4 } from './hop-3-to-4.js';

/**
 * Cloudreve, a self-hosted file cloud: 2.0.0-Alpha1 (PHP, MySQL) → 3.8 (Go, gorm) → 4.0 (Go, ent), as its own
 * upgrade guides describe and /work/shared/reference/cloudreve.md documents. See docs/cloudreve.md.
 */
export default definePack({
  name: 'cloudreve',
  versions: ['2.0.0-Alpha1', '3.8', '4.0'],
  detect: detectCloudreve,
  hops: [hop2to3, hop3to4],
  inputs: {
    hashIdSalt: { description: "V3's conf.ini [System] HashIDSalt: keeps share and direct links valid (read from --app-config)" },
    md5Passwords: {
      description: 'users whose password is still V2-era md5, which V4 4.0.0 cannot verify: keep them as they are, or clear them',
      values: ['keep', 'clear'],
    },
    v2Salt: { description: "V2's password salt (application/config.php 'salt'; default sdshare)" },
    v3Root: { description: 'the folder V3 ran in: local thumbnails are measured there, for their V4 entity sizes' },
  },
  config: { source: readConfIni, target: readConfIni },
});

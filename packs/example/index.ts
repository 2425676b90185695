import { definePack } from '../../src/upgrade/index.js';
import { hop1to2 } from './hop-1-to-2.js';
import { hop2to3 } from './hop-2-to-3.js';
import { v1 } from './schemas.js';

/** Jot, a small notes application: three versions, two hops. */
export default definePack({
  name: 'example',
  versions: ['1.0', '2.0', '3.0'],

  // Jot 2 and 3 record their version in a settings row; Jot 1 did not, so it is known by its shape.
  detect: async (src) => {
    if (src.tables.includes('settings')) {
      const row = await src.first('settings', (r) => r.key === 'db.version');
      if (row) return { version: String(row.value), evidence: 'settings db.version' };
      return { unknown: 'its settings table has no db.version row' };
    }
    if (src.tables.includes('options')) {
      const row = await src.first('options', (r) => r.name === 'db_version');
      if (row) return { version: String(row.value), evidence: 'options db_version' };
      const shape = src.matches(v1);
      if (shape.ok) return { version: '1.0', evidence: 'the shape of 1.0, which had no db_version' };
      return { unknown: `it has no db_version row, and lacks ${shape.missing.join(', ')} of 1.0` };
    }
    return { unknown: 'it has neither an options nor a settings table' };
  },

  hops: [hop1to2, hop2to3],
});

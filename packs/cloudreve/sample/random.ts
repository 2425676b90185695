/**
 * Deterministic randomness for the sample generators: a seeded PRNG (mulberry32: tiny, fast, good enough for test
 * data) and the draws they need, plus the name material both the V2 and the V3 generator use.
 */

export const ALNUM = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
const HEX = '0123456789abcdef';

function hash32(text: string): number {
  // FNV-1a: turns a label into a stream seed.
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export class Rng {
  private state: number;

  constructor(private readonly seed: number) {
    this.state = seed >>> 0;
  }

  /**
   * An independent stream for one part of the data, derived from the seed and a label only: a change in how many
   * draws one part makes does not shift what the others generate.
   */
  fork(label: string): Rng {
    return new Rng(hash32(`${this.seed}:${label}`));
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** One of the values, with probability proportional to the weight at the same index. */
  weighted<T>(values: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let r = this.next() * total;
    for (let i = 0; i < values.length; i++) {
      r -= weights[i]!;
      if (r < 0) return values[i]!;
    }
    return values[values.length - 1]!;
  }

  /** One of the keys, with probability proportional to its value. */
  weightedKey<K extends string>(weights: Partial<Record<K, number>>): K {
    const keys = Object.keys(weights) as K[];
    return this.weighted(
      keys,
      keys.map((k) => weights[k] ?? 0),
    );
  }

  chars(alphabet: string, n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(this.next() * alphabet.length)];
    return s;
  }

  alnum(n: number): string {
    return this.chars(ALNUM, n);
  }

  hex(n: number): string {
    return this.chars(HEX, n);
  }

  uuid(): string {
    const h = this.hex(32);
    const variant = HEX[8 + Math.floor(this.next() * 4)];
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
  }

  /** An integer between min and max, spread evenly over orders of magnitude (file sizes, view counts). */
  logUniform(min: number, max: number): number {
    const lo = Math.log(Math.max(1, min));
    const hi = Math.log(Math.max(1, max));
    return Math.round(Math.exp(lo + this.next() * (hi - lo)));
  }

  /** A heavy-tailed weight ≥ 1 (Pareto, shape ~1.2): a few users own most of the files. */
  pareto(): number {
    return Math.min(200, 1 / Math.pow(1 - this.next(), 1 / 1.2));
  }
}

/**
 * The key under which MySQL's default collations (utf8mb4_general_ci, utf8mb4_0900_ai_ci) compare names: case,
 * accents and trailing spaces are ignored and general_ci sees every emoji as the same character. Two names with
 * the same key would break V3's unique indexes on MySQL, so the generators keep them unique by this key.
 */
export function collationKey(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[\u{10000}-\u{10FFFF}]/gu, '\ufffd')
    .toLowerCase()
    .trimEnd();
}

/** The name without characters outside the BMP (emoji): for V2's utf8 (3-byte) tables. */
export function withoutAstral(name: string): string {
  return name
    .replace(/[\u{10000}-\u{10FFFF}]\ufe0f?/gu, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** A name not yet in `used` (by collation key): `base`, else `base (2)`, `base (3)`, … before the extension. */
export function uniqueName(used: Set<string>, name: string): string {
  let candidate = name;
  const dot = name.lastIndexOf('.');
  const stem = dot > 0 ? name.slice(0, dot) : name;
  const ext = dot > 0 ? name.slice(dot) : '';
  for (let n = 2; used.has(collationKey(candidate)); n++) candidate = `${stem} (${n})${ext}`;
  used.add(collationKey(candidate));
  return candidate;
}

const list = (text: string) => text.split('|');

// ---- Folder names, by theme. A root child picks the theme its subtree keeps. ----

export type Theme = 'photos' | 'docs' | 'music' | 'videos' | 'projects' | 'downloads' | 'misc';

const TOP_FOLDERS: Record<string, Theme> = {
  Documents: 'docs',
  Photos: 'photos',
  Music: 'music',
  Videos: 'videos',
  Downloads: 'downloads',
  Desktop: 'misc',
  Backups: 'downloads',
  项目: 'projects',
  工作资料: 'docs',
  学习资料: 'docs',
  'Camera Uploads': 'photos',
  'My Projects': 'projects',
  共享文件: 'misc',
  电子书: 'docs',
  Wallpapers: 'photos',
  截图: 'photos',
  Software: 'downloads',
  'Notes 📝': 'docs',
  'Old Stuff': 'misc',
  Misc: 'misc',
};
const TOP_NAMES = Object.keys(TOP_FOLDERS);

const SUB_FOLDERS: Record<Theme, readonly string[]> = {
  photos: list(
    '2019|2020|2021|2022|2023|2024|Family|Screenshots|Edited|Trip|Summer Holiday|春节|Birthday 🎂|Wedding|Kyoto 京都|Hiking|RAW|Selected|Day 1|Day 2|Café Crème',
  ),
  docs: list('Invoices|Tax 2023|合同|Notes|Reports|Résumé & CV|Scans|会议纪要|Q1 2024|Templates|Drafts|Signed|发票|Letters'),
  music: list('Jazz|周杰伦|Classical|Podcasts|Live Recordings|Playlists|Lo-fi 🎧|OST'),
  videos: list('Movies|TV Shows|Recordings|Vlog 2023|Anime 动画|Season 1|Season 2|Clips'),
  projects: list('ferry|website|论文|app-v2|design assets|src|docs|build|release|old versions'),
  downloads: list('Installers|ISO|Torrents|Fonts|Drivers|Archive|安装包'),
  misc: list('New folder|Archive|misc|资料|old|tmp|Backup 2022|to sort|已整理|Shared with Mom'),
};

/** A folder directly under a root, and the theme of its subtree. */
export function topFolder(rng: Rng): [string, Theme] {
  const name = rng.pick(TOP_NAMES);
  return [name, TOP_FOLDERS[name]!];
}

/** A subfolder name for a folder of this theme. */
export function subFolderName(rng: Rng, theme: Theme): string {
  return rng.chance(0.85) ? rng.pick(SUB_FOLDERS[theme]) : rng.pick(SUB_FOLDERS.misc);
}

// ---- File names and sizes. ----

export type FileKind = 'image' | 'video' | 'audio' | 'doc' | 'archive' | 'code' | 'other';

/** What kinds of files folders of each theme hold, by weight. */
export const THEME_KINDS: Record<Theme, Partial<Record<FileKind, number>>> = {
  photos: { image: 90, video: 8, other: 2 },
  docs: { doc: 85, image: 8, archive: 4, other: 3 },
  music: { audio: 90, image: 6, doc: 4 },
  videos: { video: 85, doc: 5, image: 5, other: 5 },
  projects: { code: 55, doc: 20, image: 10, archive: 15 },
  downloads: { archive: 40, other: 20, doc: 20, video: 10, image: 10 },
  misc: { image: 30, doc: 30, video: 10, audio: 5, archive: 10, code: 5, other: 10 },
};

const pad = (n: number, width: number) => String(n).padStart(width, '0');

type Namer = (rng: Rng, n: number, date: string, y: number) => string;

/** Name templates per kind, and how often each comes up. */
const NAMERS: Record<FileKind, [Namer[], number[]]> = {
  image: [
    [
      (_, n) => `IMG_${pad(n, 4)}.jpg`,
      (r, _, d) => `IMG_${d}_${pad(r.int(0, 235959), 6)}.jpg`,
      (r) => `DSC${pad(r.int(0, 99999), 5)}.JPG`,
      (r, _, d) => `微信图片_${d}${pad(r.int(0, 235959), 6)}.jpg`,
      (r, _, d) =>
        `Screenshot ${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6)} at ${r.int(1, 12)}.${pad(r.int(0, 59), 2)}.${pad(r.int(0, 59), 2)}.png`,
      (r, _, d) => `屏幕截图 ${d} ${pad(r.int(0, 235959), 6)}.png`,
      (r, n) => `${r.pick(list('cat|dog|sunset|beach|猫咪|风景|家庭聚会|Été à Paris|avatar'))} ${n}.jpeg`,
      (r, n) => `${r.pick(['🌸', '🐱', '🎉'])} ${r.pick(['spring', 'party', 'friends'])} ${n}.jpg`,
      (_, n) => `IMG_${pad(n, 4)}.HEIC`,
      (r, n) => `diagram-${n}.${r.pick(['png', 'gif', 'webp', 'svg'])}`,
    ],
    [25, 15, 10, 8, 10, 5, 10, 3, 6, 8],
  ],
  video: [
    [
      (r, _, d) => `VID_${d}_${pad(r.int(0, 235959), 6)}.mp4`,
      (r, n) => `${r.pick(['会议录屏', 'Lecture', 'Recording', 'Demo'])} ${n}.${r.pick(['mp4', 'mkv', 'webm'])}`,
      (r, _, __, y) => `${r.pick(list('The.Matrix|Spirited.Away|Your.Name|Interstellar|Amélie'))}.${y}.1080p.mkv`,
      (r, n) => `S01E${pad(r.int(1, 24), 2)} ${n}.mp4`,
      (_, n) => `IMG_${pad(n, 4)}.MOV`,
    ],
    [30, 25, 15, 15, 15],
  ],
  audio: [
    [
      (r, n) => `${pad(r.int(1, 20), 2)} - Track ${n}.mp3`,
      (r, n) =>
        `${r.pick(list('周杰伦|Miles Davis|Björk|Radiohead|陈奕迅'))} - ${r.pick(list('晴天|So What|Jóga|Creep|十年|Live'))} ${n}.${r.pick(['mp3', 'flac', 'm4a'])}`,
      (_, n) => `podcast-ep${n}.m4a`,
      (_, __, d) => `voice memo ${d}.m4a`,
    ],
    [35, 40, 15, 10],
  ],
  doc: [
    [
      (_, n, __, y) => `Invoice-${y}-${pad(n, 4)}.pdf`,
      (r, n) => `report final (${r.int(1, 9)}) ${n}.docx`,
      (r, _, d) => `${r.pick(list('简历|合同扫描件|会议纪要|年度总结|报价单'))}_${d}.${r.pick(['pdf', 'docx', 'xlsx'])}`,
      (r, _, d) => `notes-${d}.${r.pick(['md', 'txt'])}`,
      (r, n, __, y) => `${r.pick(list('Budget|Roadmap|Timesheet|Inventory'))} ${y} v${n}.xlsx`,
      (r, n) => `${r.pick(list('Pitch deck|Kickoff|Quarterly review'))} ${n}.pptx`,
      (r, n) => `${r.pick(list('Résumé|Lettre de motivation|CV'))} ${n}.pdf`,
      (_, n) => `README ${n}.txt`,
    ],
    [15, 10, 20, 15, 15, 10, 5, 10],
  ],
  archive: [
    [
      (_, n, d) => `backup-${d}-${n}.zip`,
      (r, n) => `${r.pick(list('ubuntu-22.04.3-desktop-amd64|debian-12.2.0-amd64-netinst|Win11_23H2_Chinese_Simplified_x64'))}-${n}.iso`,
      (r, n) => `project-src-${n}.${r.pick(['tar.gz', '7z', 'rar', 'zip'])}`,
      (_, __, d) => `资料打包_${d}.zip`,
      (r, n, __, y) => `photos ${y} part${r.int(1, 9)} ${n}.zip`,
    ],
    [30, 10, 30, 15, 15],
  ],
  code: [
    [
      (r, n) => `${r.pick(list('main|index|utils|server|app|config'))}${n}.${r.pick(list('ts|js|py|go|rs|java'))}`,
      (r, n) => `${r.pick(list('package|tsconfig|settings|data'))}-${n}.json`,
      (_, n) => `Makefile.${n}`,
      (_, n) => `schema-${n}.sql`,
    ],
    [60, 25, 5, 10],
  ],
  other: [
    [
      (r, n) => `${r.pick(list('setup|installer|app-release'))}-${n}.${r.pick(list('exe|apk|dmg|msi'))}`,
      (r, n) => `${r.pick(list('font|Source Han Sans|JetBrains Mono'))} ${n}.${r.pick(['ttf', 'otf'])}`,
      (r, n) => `data-${n}.${r.pick(list('csv|bin|dat|db'))}`,
      (_, n) => `untitled ${n}`,
    ],
    [40, 20, 25, 15],
  ],
};

/**
 * A plausible file name of the kind, dated within [fromYear, toYear]; numbers make collisions rare and
 * `uniqueName` settles the rest.
 */
export function fileName(rng: Rng, kind: FileKind, fromYear = 2018, toYear = 2024): string {
  const y = rng.int(fromYear, toYear);
  const date = `${y}${pad(rng.int(1, 12), 2)}${pad(rng.int(1, 28), 2)}`;
  const [namers, weights] = NAMERS[kind];
  return rng.weighted(namers, weights)(rng, rng.int(1, 9999), date, y);
}

/** Size bounds in bytes by extension, for `logUniform`. */
const SIZE_BY_EXT: Record<string, readonly [number, number]> = {
  jpg: [150e3, 9e6],
  jpeg: [150e3, 9e6],
  png: [8e3, 4e6],
  heic: [1e6, 4e6],
  gif: [50e3, 15e6],
  webp: [30e3, 2e6],
  svg: [2e3, 300e3],
  mp4: [5e6, 4.5e9],
  mkv: [300e6, 8e9],
  mov: [5e6, 2e9],
  webm: [2e6, 500e6],
  mp3: [2e6, 12e6],
  flac: [15e6, 60e6],
  m4a: [1e6, 80e6],
  pdf: [40e3, 30e6],
  docx: [12e3, 3e6],
  xlsx: [8e3, 5e6],
  pptx: [200e3, 60e6],
  txt: [1, 40e3],
  md: [100, 30e3],
  zip: [100e3, 3e9],
  gz: [100e3, 2e9],
  '7z': [100e3, 2e9],
  rar: [100e3, 2e9],
  iso: [600e6, 6.5e9],
  exe: [1e6, 200e6],
  apk: [5e6, 150e6],
  dmg: [10e6, 1e9],
  msi: [1e6, 200e6],
  json: [100, 2e6],
  sql: [1e3, 50e6],
};

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** A size in bytes for a file of this name; a few text-like files are empty. */
export function fileSize(rng: Rng, name: string): number {
  const ext = extensionOf(name);
  const [min, max] = SIZE_BY_EXT[ext] ?? [200, 500e3];
  if ((ext === 'txt' || ext === 'md' || ext === '') && rng.chance(0.05)) return 0;
  return rng.logUniform(min, max);
}

const PIC_SIZES = list('4032,3024|3024,4032|1920,1080|1080,1920|1280,720|800,600|2560,1440|640,480|1170,2532|6000,4000|2880,1800');

/** `"w,h"` for the image formats V3 reads dimensions of, '' for the others. */
export function picInfo(rng: Rng, name: string): string {
  return ['jpg', 'jpeg', 'png', 'gif', 'webp'].includes(extensionOf(name)) ? rng.pick(PIC_SIZES) : '';
}

export function isImage(name: string): boolean {
  return ['jpg', 'jpeg', 'png', 'gif', 'webp', 'heic', 'svg'].includes(extensionOf(name));
}

export function isVideo(name: string): boolean {
  return ['mp4', 'mkv', 'mov', 'webm'].includes(extensionOf(name));
}

// ---- People. ----

const GIVEN = list('Alice|Bob|Chen|Diana|Émile|Fatima|Gao|Hiro|Ingrid|João|Kim|Lena|Ming|Noor|Olga|Priya');
const FAMILY = list('Smith|Wang|Müller|Tanaka|García|Li|Okafor|Novak|Zhang|Rossi|Kowalski|Nguyen');
const CJK_NICKS = list('小明|张伟|王芳|李娜|刘洋|陈静|杨帆|赵磊|黄丽|周杰|吴昊|徐婷|孙悟空|月亮🌙|云端漫步');
const HANDLES = list('neo|trinity|pixel|byte|nomad|sparrow|quokka|zenith|marmot|lynx');
const EMOJI = ['🚀', '🐼', '🌈', '🎧', '☕', '🍜', '🐧', '🦊'];
const DOMAINS = list('example.com|example.org|mail.example.net|qq.example.cn|corp.example.io');

/** A display name: Latin, CJK or a handle, sometimes with emoji. */
export function nickName(rng: Rng): string {
  switch (rng.weighted([0, 1, 2, 3], [40, 30, 20, 10])) {
    case 0:
      return `${rng.pick(GIVEN)} ${rng.pick(FAMILY)}`;
    case 1:
      return rng.pick(CJK_NICKS);
    case 2:
      return `${rng.pick(HANDLES)}${rng.int(1, 999)}`;
    default:
      return `${rng.pick(HANDLES)} ${rng.pick(EMOJI)}`;
  }
}

/** An email unique by construction (it carries the user id). */
export function email(rng: Rng, id: number): string {
  const local = rng.weighted([`${rng.pick(GIVEN)}.${rng.pick(FAMILY)}`, rng.pick(HANDLES), 'user'], [50, 30, 20]);
  const ascii = local
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^A-Za-z0-9.]/g, '')
    .toLowerCase();
  return `${ascii || 'user'}${id}@${rng.pick(DOMAINS)}`;
}

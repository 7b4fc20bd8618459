/**
 * Fonts for the PDF report. The main font is DejaVu Sans (Latin, Greek, Cyrillic, Arabic, Hebrew and
 * more), from the npm package `dejavu-fonts-ttf` (Bitstream Vera licence: free to use, embed and
 * redistribute), resolved at run time from this module's location so it also works from the esbuild bundle
 * (dist/cutover.mjs sits next to node_modules); else Debian's fonts-dejavu-core. PDFKit embeds the subset
 * used, with a ToUnicode map, so the names can be searched and copied from the PDF.
 *
 * DejaVu has no CJK glyphs. A system Noto CJK font (Debian fonts-noto-cjk) is used for Han, kana and
 * Hangul when installed; without one, CJK text is drawn with the main font, which shows empty boxes for
 * those characters (the rest of the report is unaffected). We do not bundle a CJK font: ~20 MB each.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

/** Font files for one report: `regular` and `bold` always, `cjk` when a CJK font is installed. */
export interface ReportFonts {
  regular: string;
  bold: string;
  cjk?: { file: string; /** PostScript name inside a font collection (.ttc). */ postscriptName?: string };
}

const DEBIAN_DEJAVU = '/usr/share/fonts/truetype/dejavu';

const CJK_CANDIDATES = [
  { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', postscriptName: 'NotoSansCJKsc-Regular' },
  {
    file: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc',
    postscriptName: 'NotoSerifCJKsc-Regular',
  },
  { file: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', postscriptName: 'WenQuanYiMicroHei' },
];

const moduleRequire = createRequire(import.meta.url);

function fromPackage(file: string): string | null {
  try {
    const found = moduleRequire.resolve(`dejavu-fonts-ttf/ttf/${file}`);
    return existsSync(found) ? found : null;
  } catch {
    return null;
  }
}

/**
 * Find the report's fonts; throws with what to install when there is no usable main font. The parameters
 * are for tests (another system directory, or no npm package).
 */
export function findFonts(systemDir = DEBIAN_DEJAVU, usePackage = true): ReportFonts {
  const pick = (file: string) =>
    (usePackage ? fromPackage(file) : null) ??
    (existsSync(`${systemDir}/${file}`) ? `${systemDir}/${file}` : null);
  const regular = pick('DejaVuSans.ttf');
  if (!regular)
    throw new Error(
      'No font for the PDF report: the npm package dejavu-fonts-ttf is not installed (run `npm install` where ' +
        `Cutover is installed) and ${systemDir}/DejaVuSans.ttf is missing (apt-get install fonts-dejavu-core).`,
    );
  const cjk = CJK_CANDIDATES.find((c) => existsSync(c.file));
  return { regular, bold: pick('DejaVuSans-Bold.ttf') ?? regular, ...(cjk ? { cjk } : {}) };
}

const CJK =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}\u3000-\u303F\uFF00-\uFFEF]/u;

/** Split a run into pieces for the main font and for the CJK font (when there is one). */
export function splitByFont(text: string, hasCjk: boolean): Array<{ text: string; cjk: boolean }> {
  if (!hasCjk || !CJK.test(text)) return [{ text, cjk: false }];
  const out: Array<{ text: string; cjk: boolean }> = [];
  for (const ch of text) {
    // Marks and spaces stay with what precedes them, so a CJK run is not cut at every space.
    const cjk = CJK.test(ch) || ((/[\p{M}\s]/u.test(ch) && out.at(-1)?.cjk) ?? false);
    const last = out.at(-1);
    if (last && last.cjk === cjk) last.text += ch;
    else out.push({ text: ch, cjk });
  }
  return out;
}

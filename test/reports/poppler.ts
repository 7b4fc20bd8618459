/** Poppler's command-line tools (pdftotext, pdffonts, pdfinfo) for reading the PDFs back; installed when missing. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const PDFTOTEXT = '/usr/bin/pdftotext';

/** Install poppler-utils (and fonts-dejavu-core) when missing, as root; otherwise say what to install. */
export async function ensurePoppler(): Promise<void> {
  const missing = [
    ...(existsSync(PDFTOTEXT) ? [] : ['poppler-utils']),
    ...(existsSync('/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf') ? [] : ['fonts-dejavu-core']),
  ];
  if (!missing.includes('poppler-utils')) return; // the DejaVu package is only a fallback for the npm font
  if (process.getuid?.() !== 0)
    throw new Error(`${PDFTOTEXT} is missing; run: sudo apt-get install ${missing.join(' ')}`);
  for (const args of [['update'], ['install', '-y', ...missing]]) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const child = spawn('apt-get', args, { stdio: 'inherit', env });
    const code = await new Promise((resolve) => child.on('close', resolve).on('error', () => resolve(-1)));
    if (code !== 0) throw new Error(`apt-get ${args.join(' ')} failed (${code})`);
  }
}

/**
 * The text of a PDF as poppler extracts it, without the bidi embedding marks it puts around
 * right-to-left runs.
 */
export function pdfText(file: string): string {
  const raw = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  return raw.replace(/[\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, '');
}

/** `pdffonts` rows: name, type, whether embedded and whether it has a ToUnicode map. */
export function pdfFonts(file: string): Array<{ name: string; emb: boolean; uni: boolean }> {
  const out = execFileSync('pdffonts', [file], { encoding: 'utf8' }).split('\n').slice(2).filter(Boolean);
  return out.map((line) => {
    const f = line.trim().split(/\s+/);
    // name type... encoding emb sub uni object ID: the flags are the 5th to 3rd fields from the end.
    return { name: f[0]!, emb: f.at(-5) === 'yes', uni: f.at(-3) === 'yes' };
  });
}

/** Page count from `pdfinfo`. */
export function pdfPages(file: string): number {
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  return Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]);
}

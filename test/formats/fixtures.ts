/** Reads the groupware fixtures (test/fixtures/groupware/), byte for byte, for the formats tests. */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../fixtures/groupware/', import.meta.url));

/** The text of one fixture file. */
export function fixture(name: string): string {
  return readFileSync(dir + name, 'utf8');
}

/** Every fixture file name with this extension. */
export function fixtureNames(ext: 'ics' | 'vcf'): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(`.${ext}`))
    .sort();
}

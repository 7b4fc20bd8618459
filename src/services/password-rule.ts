/**
 * What an operator password must be: at least 12 characters once the spaces at its ends are set aside, not
 * one short piece repeated (`aaaaaaaaaaaa`, `abcabcabcabc`, `passwordpassword`), and more than a handful of
 * different characters. Length alone let blank and repeated passwords through.
 */

/** The minimum length, in characters (code points), spaces at the ends not counted. */
export const MIN_PASSWORD_LENGTH = 12;
const MIN_DISTINCT = 5;

/** Why `password` is refused, in words for the operator; undefined when it is acceptable. */
export function passwordProblem(password: string): string | undefined {
  const chars = [...password.trim()];
  if (chars.length === 0) return 'The password is blank.';
  if (chars.length < MIN_PASSWORD_LENGTH)
    return `The password has ${chars.length} characters (not counting spaces at the ends); it needs at least ${MIN_PASSWORD_LENGTH}.`;
  if (/^([\s\S]+?)\1+$/u.test(chars.join(''))) return 'The password is one short piece repeated.';
  if (new Set(chars).size < MIN_DISTINCT)
    return `The password uses fewer than ${MIN_DISTINCT} different characters.`;
  return undefined;
}

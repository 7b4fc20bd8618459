/** Where a secret comes from, a leaf type: settings types of the connectors use it without importing config/types.ts. */

/** Where a secret comes from: inline, an environment variable, or a file (first line). */
export type SecretRef = { value: string } | { env: string } | { file: string };

/**
 * What the plan's warnings tell a person to do, in the words of where they read it: the CLI (`cutover plan`)
 * names the project file's keys and commands, the web UI names the page where the setting is changed. The
 * facts are the same; only the remedy differs.
 */

/** Where a warning is read. */
export type Audience = 'cli' | 'web';

const REMEDY = {
  scan: {
    cli: 'Run `cutover scan` for real figures.',
    web: 'Start one on the Scan page for real figures.',
  },
  admin: {
    cli: 'add source.admin (mode: master) to the project file.',
    web: "add the source's administrator login on the project's page (Projects).",
  },
  credentials: {
    cli: 'collect them (a source_password column, or the personal links) before the final sync.',
    web: 'collect them on the Credentials page (personal links, or enter or import them) before the final sync.',
  },
  destCredentials: {
    cli: 'collect them (a destination_password column, or the personal links), or add destination.admin, before the final sync.',
    web: "collect them on the Credentials page, or add the destination's administrator login on the project's page, before the final sync.",
  },
  notify: {
    cli: 'set plan.notifyFrom earlier.',
    web: 'set the notification start earlier on the Plan page.',
  },
  contact: {
    cli: 'set plan.contact in the project file.',
    web: 'set a contact on the Plan page.',
  },
  dnsServer: {
    cli: 'set plan.dnsServer (the primary name server and a TSIG key) in the project file.',
    web: 'set the primary name server and its TSIG key on the Plan page.',
  },
  domains: {
    cli: 'list them under plan.domains to plan the DNS change.',
    web: 'add your mail domains on the Plan page to plan the DNS change.',
  },
} as const;

/** The remedy `what` in the words of `audience`. */
export function remedy(what: keyof typeof REMEDY, audience: Audience): string {
  return REMEDY[what][audience];
}

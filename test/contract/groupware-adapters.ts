/**
 * The systems the groupware contract checks run against — every connector with `openGroupware`:
 * - the DAV connector on REAL Radicale 3.1 and Xandikos 0.2 servers (Debian packages, started by
 *   test/harness/, opened through the dav:// URL form as the command line opens it);
 * - Microsoft 365 through Graph, against the LOCAL EMULATOR of Graph (test/emulators/graph);
 * - Google contacts, calendars and tasks, against the LOCAL EMULATOR of the People, Calendar and Tasks APIs
 *   (test/emulators/gmail).
 * The hosted services cannot be reached from the test machines; the emulators are what runs here.
 */
import { GmailConnector } from '../../src/connectors/gmail/gmail-connector.js';
import { GraphConnector } from '../../src/connectors/graph/graph-connector.js';
import { groupwareOf } from '../emulators/gmail/emulator-groupware.js';
import { GmailEmulator } from '../emulators/gmail/gmail-emulator.js';
import { gmailServer, serviceAccountLogin } from '../emulators/gmail/gmail-fixture.js';
import { startGraphEmulator } from '../emulators/graph/graph-emulator.js';
import { appLogin, emulatorServer } from '../emulators/graph/graph-project.js';
import { ALICE, BOB, openDav } from '../connectors/dav-fixtures.js';
import { startRadicale } from '../harness/radicale.js';
import { startXandikos } from '../harness/xandikos.js';
import type { GroupwareAdapter } from './groupware-targets.js';

/** Real Radicale: no collection exists until a client makes one; calendars may hold VTODO. */
export const radicaleDav: GroupwareAdapter = {
  name: 'dav (Radicale, real server)',
  async start() {
    const s = await startRadicale({ users: [ALICE, BOB] });
    return {
      open: () => openDav(s),
      defaults: { calendar: false, addressbook: false },
      tasks: { exact: true },
      stop: () => s.stop(),
    };
  },
};

/** Real Xandikos with `--defaults`: one calendar and one address book made at start. */
export const xandikosDav: GroupwareAdapter = {
  name: 'dav (Xandikos, real server)',
  async start() {
    const s = await startXandikos();
    return {
      open: () => openDav(s),
      defaults: { calendar: true, addressbook: true },
      tasks: { exact: true },
      stop: () => s.stop(),
    };
  },
};

/** Microsoft 365 on the LOCAL Graph emulator: contact folders, calendars and To Do lists. */
export const graphGroupware: GroupwareAdapter = {
  name: 'graph (Microsoft 365, local emulator)',
  async start() {
    const emu = await startGraphEmulator({ latencyMs: 1 });
    const user = 'contract@contoso.test';
    emu.store.addUser(user);
    const connector = new GraphConnector();
    return {
      open: () => connector.openGroupware(emulatorServer(emu), appLogin(emu, user)),
      defaults: { calendar: true, addressbook: true },
      tasks: { exact: true },
      deltaListsUnchanged:
        'a removed event cannot be told from a cancelled occurrence in calendarView/delta, so a round with a ' +
        'removal lists every series master too (src/connectors/graph/graph-groupware-delta.ts)',
      notificationsSent: () => emu.groupware.invitations.length,
      stop: () => emu.stop(),
    };
  },
};

/** Google on the LOCAL emulator of the People, Calendar and Tasks APIs. */
export const googleGroupware: GroupwareAdapter = {
  name: 'google (People, Calendar, Tasks; local emulator)',
  async start() {
    const user = 'contract@example.com';
    const emu = await GmailEmulator.start({ users: [user] });
    const gw = groupwareOf(emu);
    const connector = new GmailConnector();
    return {
      open: () => connector.openGroupware(gmailServer(emu), serviceAccountLogin(emu, user)),
      defaults: { calendar: true, addressbook: true },
      tasks: {
        exact: false,
        why:
          'Google Tasks has no UID and no hidden storage: the task id stands in for the UID and its losses ' +
          'are named (tasksNotKept; test/connectors/google-groupware.test.ts checks them one by one)',
      },
      singleAddressBook: 'Google has one address book (labels travel as CATEGORIES)',
      notificationsSent: () => gw.notifications.length,
      stop: () => emu.stop(),
    };
  },
};

/** Every connector with `openGroupware`, in the order the checks run them. */
export const groupwareAdapters: GroupwareAdapter[] = [
  radicaleDav,
  xandikosDav,
  graphGroupware,
  googleGroupware,
];

/**
 * The groupware half of the connector contract suite, run over every connector with `openGroupware`
 * (groupware-adapters.ts): the DAV connector on real Radicale and Xandikos servers, Microsoft 365 on the
 * LOCAL Graph emulator and Google on the LOCAL People/Calendar/Tasks emulator.
 */
import { groupwareAdapters } from './groupware-adapters.js';
import { describeGroupwareContract } from './groupware-contract.js';

for (const adapter of groupwareAdapters) describeGroupwareContract(adapter);

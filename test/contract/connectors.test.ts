/** The shared connector contract suites, run over every adapter in adapters.ts. */
import { adapters } from './adapters.js';
import { describeDestinationContract } from './destination-contract.js';
import { describeSourceContract } from './source-contract.js';

for (const adapter of adapters) {
  if (!adapter.sourceOnly) describeDestinationContract(adapter);
  describeSourceContract(adapter);
}

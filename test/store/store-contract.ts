import { afterEach, beforeEach, describe } from 'vitest';
import type { Store } from '../../src/store/index.js';
import { concurrencyContract } from './contract-concurrency.js';
import { recordsContract } from './contract-records.js';

export { seedRun, toEvaluating } from './contract-helpers.js';

/**
 * The behaviour every {@link Store} implementation must have. Each test gets a fresh, empty
 * store from `createStore`; the store is closed afterwards and `cleanup` (if any) then runs.
 */
export function runStoreContract(
  name: string,
  createStore: () => Promise<Store>,
  cleanup?: (store: Store) => Promise<void>,
): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    beforeEach(async () => {
      store = await createStore();
    });
    afterEach(async () => {
      await store.close();
      await cleanup?.(store);
    });

    recordsContract(() => store);
    concurrencyContract(() => store);
  });
}

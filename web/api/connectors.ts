/**
 * The connector kinds (GET /api/connectors), loaded once per page load: the server form builds its kind
 * choice, each side's choices and the default ports from them.
 */
import { useEffect, useState } from 'react';
import { api } from './api.js';
import type { ResponseOf } from './client.js';

/** One connector kind as the server describes it. */
export type Connector = ResponseOf<'GET /api/connectors'>['items'][number];

let loading: Promise<Connector[]> | undefined;

/** The connector kinds; undefined until they are loaded. */
export function useConnectors(): Connector[] | undefined {
  const [list, setList] = useState<Connector[]>();
  useEffect(() => {
    let live = true;
    loading ??= api('GET /api/connectors').then(
      (r) => r.items,
      (err: unknown) => {
        loading = undefined; // try again on the next form
        throw err;
      },
    );
    loading.then(
      (items) => live && setList(items),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);
  return list;
}

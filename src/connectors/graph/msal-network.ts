/**
 * MSAL's network module over Cutover's own HTTPS transport, so token requests honour the same
 * certificate settings (a test lab's self-signed authority) and abort promptly. MSAL itself refuses any
 * authority that is not https.
 */
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { readAll, send } from './graph-transport.js';

/** MSAL's GET/POST through Cutover's transport. */
export class MsalNetwork implements INetworkModule {
  constructor(
    private readonly insecure: boolean,
    private readonly where: string,
  ) {}

  sendGetRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.call<T>('GET', url, options);
  }

  sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    return this.call<T>('POST', url, options);
  }

  private async call<T>(
    method: string,
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> {
    const res = await send(
      url,
      { method, headers: options?.headers, body: options?.body, insecure: this.insecure },
      this.where,
    );
    const text = (await readAll(res)).toString('utf8');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers))
      if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = { error: 'invalid_response', error_description: text.slice(0, 200) };
    }
    return { headers, body: body as T, status: res.statusCode ?? 0 };
  }
}

/**
 * The `host:port` a backend's model API lives at: its base URL's (a scripted server on
 * 127.0.0.1 in tests, a gateway), else the vendor's default. Undefined for a URL that does not
 * parse: the session fails on it with the backend's own message.
 */
export function modelHost(baseUrl: string | undefined, fallback: string): string | undefined {
  if (baseUrl === undefined || baseUrl === '') return fallback;
  try {
    const url = new URL(baseUrl);
    const port = url.port !== '' ? url.port : url.protocol === 'http:' ? '80' : '443';
    return `${url.hostname}:${port}`;
  } catch {
    return undefined;
  }
}

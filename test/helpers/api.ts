// Requests against an in-process Hono app with an API key, as the API tests make them.
type RequestingApp = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

/** `call(path, key, init)`: a string body without a content type is sent as JSON. */
export function apiCaller(app: () => RequestingApp) {
  return (path: string, key: string | null, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (key) headers.set('authorization', `Bearer ${key}`);
    if (typeof init.body === 'string' && !headers.has('content-type'))
      headers.set('content-type', 'application/json');
    return app().request(path, { ...init, headers });
  };
}

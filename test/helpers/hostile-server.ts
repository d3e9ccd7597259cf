/**
 * A small HTTP server on 127.0.0.1 for answers the fake cannot script, such as a body that never
 * ends. It records each request's method, path and headers and answers with `handler`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HostileServer {
  /** The API root to give as api-base-url: http://127.0.0.1:PORT/client/v4. */
  url: string;
  requests: { method: string; path: string; headers: http.IncomingHttpHeaders }[];
  close(): Promise<void>;
}

export async function startHostileServer(handler: http.RequestListener): Promise<HostileServer> {
  const requests: HostileServer['requests'] = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/client/v4`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Answers 200 with the start of a Cloudflare envelope whose store name never ends, writing as
 * fast as the client reads, until the client goes away.
 */
export const endlessBody: http.RequestListener = (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"success":true,"errors":[],"messages":[],"result":[{"id":"0","name":"');
  const chunk = 'x'.repeat(64 * 1024);
  let open = true;
  res.on('close', () => (open = false));
  const pump = () => {
    while (open && res.write(chunk));
    if (open) res.once('drain', pump);
  };
  pump();
};

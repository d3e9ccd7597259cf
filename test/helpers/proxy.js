// @ts-check
/**
 * A small HTTP proxy, run as its own process (`node test/helpers/proxy.js`), standing in for
 * the corporate proxy of a self-hosted runner. It tunnels CONNECT requests and forwards
 * absolute-form requests, to loopback targets only, and prints one JSON line per connection
 * (`{"kind":"connect","target":"127.0.0.1:PORT"}`) after a first line `{"port":N}`.
 */
import http from 'node:http';
import net from 'node:net';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** @param {object} line */
const log = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

const server = http.createServer((req, res) => {
  // Absolute-form request: GET http://127.0.0.1:PORT/path HTTP/1.1
  let target;
  try {
    target = new URL(req.url ?? '');
  } catch {
    res.writeHead(400).end('absolute URL required');
    return;
  }
  if (!LOOPBACK.has(target.hostname)) {
    res.writeHead(403).end('loopback targets only');
    return;
  }
  log({ kind: 'forward', target: target.host });
  const upstream = http.request(
    target,
    { method: req.method, headers: { ...req.headers, host: target.host } },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
});

server.on('connect', (req, socket, head) => {
  const [host, port] = splitHostPort(req.url ?? '');
  if (!LOOPBACK.has(host)) {
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
    return;
  }
  log({ kind: 'connect', target: `${host}:${port}` });
  const upstream = net.connect(Number(port), host.replace(/^\[|\]$/g, ''), () => {
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
});

/** @param {string} authority @returns {[string, string]} */
function splitHostPort(authority) {
  const index = authority.lastIndexOf(':');
  return [authority.slice(0, index), authority.slice(index + 1)];
}

server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  log({ port: typeof address === 'object' && address ? address.port : 0 });
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    server.closeAllConnections();
    server.close(() => process.exit(0));
  });
}

// A static file server for www/ with the right MIME types (application/wasm
// matters: streaming compilation refuses anything else). No dependencies.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'www');
// The strictest policy a documentation site may put around the page: if it
// works here, it works there. Tests watch for violations.
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'";

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.csv': 'text/csv',
  '.npy': 'application/octet-stream',
  '.safetensors': 'application/octet-stream',
  '.ts': 'text/plain',
  '.txt': 'text/plain',
};

/**
 * Serves `root`. `csp` replaces the policy (a test's host page that loads the
 * element from another origin must name that origin); `cors` adds
 * Access-Control-Allow-Origin: *, as a CDN serving the dist folder does
 * (module scripts and the wasm fetch from another origin need it).
 */
export function startServer(port = 8080, host = '127.0.0.1', root = ROOT, { csp = CSP, cors = false } = {}) {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://x');
      let path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
      let file = join(root, path);
      if (!file.startsWith(root)) throw Object.assign(new Error('outside'), { code: 'ENOENT' });
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-cache',
        'Content-Security-Policy': csp,
        ...(cors ? { 'Access-Control-Allow-Origin': '*' } : {}),
      });
      res.end(body);
    } catch (e) {
      res.writeHead(e.code === 'ENOENT' || e.code === 'ENOTDIR' ? 404 : 500, { 'Content-Type': 'text/plain' });
      res.end(e.code === 'ENOENT' || e.code === 'ENOTDIR' ? 'not found' : 'server error');
    }
  });
  return new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => ok(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--port');
  const port = Number(i > 0 ? process.argv[i + 1] : (process.env.PORT ?? 8080));
  startServer(port).then(
    (s) => console.log(`entropy-polarity is served at http://127.0.0.1:${s.address().port}/  (Ctrl-C stops)`),
    (e) => {
      console.error(`cannot listen on port ${port}: ${e.message}. Try PORT=8081.`);
      process.exit(1);
    },
  );
}

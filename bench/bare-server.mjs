// The baseline server: bare node:http, plain JavaScript (no loader, no framework), so it
// costs what node itself costs. `node bench/bare-server.mjs PORT [ANSWERS.json]`: with a file
// of answers captured from the emulator ({ method, url, status, headers, body (base64) }[]),
// each request whose method and URL match gets the same status, headers and body bytes;
// anything else (and everything without a file) gets 200 `{}`.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const [port, file] = process.argv.slice(2);
const answers = new Map();
for (const answer of file ? JSON.parse(readFileSync(file, 'utf8')) : []) {
  answers.set(`${answer.method} ${answer.url}`, { status: answer.status, headers: answer.headers, body: Buffer.from(answer.body, 'base64') });
}
const fallback = { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from('{}') };

createServer((req, res) => {
  const answer = answers.get(`${req.method} ${req.url}`) ?? fallback;
  req.on('end', () => res.writeHead(answer.status, answer.headers).end(answer.body));
  req.resume();
}).listen(Number(port), '127.0.0.1');

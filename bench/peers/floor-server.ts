/**
 * The physical floor for one subgraph request: node:http and the one primary-key query a
 * `me` answer needs, on a pg pool, with nothing else (no token check, no GraphQL). The
 * `subgraphs` scenario runs it as its own process beside the real subgraphs.
 *   node floor-server.js   (FLOOR_PORT, DATABASE_URL)
 */
import { createServer } from 'node:http';
import { Pool } from 'pg';

const port = Number(process.env.FLOOR_PORT);
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const server = createServer((req, res) => {
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const { variables } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { variables: { userId: string } };
    pool.query('SELECT id, email, name FROM identity.users WHERE id = $1', [variables.userId]).then(
      ({ rows }) => {
        const body = JSON.stringify({ data: { me: rows[0] ?? null } });
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
      },
      () => res.writeHead(500).end(),
    );
  });
});
server.listen(port, '127.0.0.1');
const stop = () => {
  server.close();
  void pool.end();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

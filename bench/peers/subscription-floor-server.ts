/**
 * The physical floor for subscription fan-out: a bare `ws` server speaking just enough of
 * graphql-transport-ws (ack, subscribe, next) that relays each message of one Redis channel
 * to every subscriber, serialised once, with nothing else (no token check, no planning, no
 * entity fetch). The `subscriptions` scenario races it against the gateways with the same
 * clients, so its latency is what this machine and the bench's own clients can do.
 *   node subscription-floor-server.js   (FLOOR_PORT, REDIS_URL, FLOOR_CHANNEL, FLOOR_ORGANIZATION_NAME)
 */
import { createServer } from 'node:http';
import Redis from 'ioredis';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';

const port = Number(process.env.FLOOR_PORT);
const channel = process.env.FLOOR_CHANNEL ?? '';
const organizationName = process.env.FLOOR_ORGANIZATION_NAME ?? '';
const subscribers = new Map<WebSocket, string>();

const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}'));
const sockets = new WebSocketServer({ server, path: '/graphql' });
sockets.on('connection', (socket) => {
  socket.on('message', (raw: Buffer) => {
    const message = JSON.parse(raw.toString()) as { type: string; id?: string };
    if (message.type === 'connection_init') socket.send('{"type":"connection_ack"}');
    else if (message.type === 'subscribe' && message.id) subscribers.set(socket, message.id);
  });
  socket.on('close', () => subscribers.delete(socket));
});

const redis = new Redis(process.env.REDIS_URL ?? '');
void redis.subscribe(channel);
redis.on('message', (_channel: string, text: string) => {
  const { activeCalls, at } = JSON.parse(text) as { activeCalls: number; at: string };
  const payload = JSON.stringify({ data: { realtimeMetrics: { activeCalls, at, organization: { name: organizationName } } } });
  for (const [socket, id] of subscribers) socket.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${payload}}`);
});

server.listen(port, '127.0.0.1');
const stop = () => {
  sockets.close();
  server.close();
  redis.disconnect();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);

/**
 * Issue 9, item 3: over WebSocket an anonymous socket took a 10 MB frame, a 3.2 MB
 * subscription of 180,000 aliases blocked the process for seconds, and one token opened
 * 500 sockets, each with a subscription. Now messages have a maximum size, every subscribe
 * is held to the same document limits as HTTP, and sockets and subscriptions per user are
 * capped, at the gateway (and the first two in every subgraph reached directly).
 */
import WebSocket from 'ws';
import type { SeededOrganization } from '../kit/seed';
import { connect } from '../kit/subscriptions';
import type { TestSocket } from '../kit/subscriptions';
import { startTestSupergraph } from '../kit/supergraph';
import type { TestSupergraph } from '../kit/supergraph';

const MAX_SOCKETS_PER_USER = 3;
const MAX_SUBSCRIPTIONS_PER_SOCKET = 2;
const MAX_SUBSCRIPTIONS_PER_USER = 3;

let supergraph: TestSupergraph;
let acme: SeededOrganization;
const sockets: TestSocket[] = [];

beforeAll(async () => {
  supergraph = await startTestSupergraph({
    WS_MAX_SOCKETS_PER_USER: String(MAX_SOCKETS_PER_USER),
    WS_MAX_SUBSCRIPTIONS_PER_SOCKET: String(MAX_SUBSCRIPTIONS_PER_SOCKET),
    WS_MAX_SUBSCRIPTIONS_PER_USER: String(MAX_SUBSCRIPTIONS_PER_USER),
  });
  // Each test of sockets per user has users of its own: a socket closed by the test before still counts until the server sees it go.
  acme = await supergraph.seed.org({ name: 'Acme' }).withMember().withMember().withMember().create();
});
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.dispose()));
});
afterAll(async () => {
  await supergraph?.stop();
});

function open(url: string, token?: string): TestSocket {
  const socket = connect(url, token);
  sockets.push(socket);
  return socket;
}

let subscriptions = 0;
/**
 * A live-metrics subscription, which answers the current figures at once. Each is worded
 * apart (identical ones with one token share one upstream, and a later one waits for the
 * next event).
 */
const metrics = () =>
  `subscription { realtimeMetrics(organizationId: "${acme.organization.id}") { activeCalls s${(subscriptions += 1)}: __typename } }`;

/** Opens a raw graphql-ws socket, sends `message` after the handshake, and answers the close code. */
function closeCodeAfterSending(url: string, message: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url.replace(/^http/, 'ws'), 'graphql-transport-ws');
    socket.once('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: {} })));
    socket.once('message', () => socket.send(message));
    const timer = setTimeout(() => reject(new Error('the socket stayed open')), 10_000);
    socket.once('close', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    socket.once('error', () => undefined);
  });
}

/** A new socket for `token` is served once the server has seen one of the user's sockets close (it learns of it a moment after the client). */
async function servedOnceTheServerSeesTheClose(token: string): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const socket = open(supergraph.gatewayUrl, token);
    const result = await socket.subscribe('{ me { id } }').next();
    if (!result.errors) return true;
    expect(result.errors[0]?.extensions?.closeCode).toBe(4430);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

async function waitForClose(socket: TestSocket): Promise<{ code: number; reason: string }> {
  const until = Date.now() + 10_000;
  while (socket.closes.length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  if (socket.closes.length === 0) throw new Error('the socket stayed open');
  return socket.closes[0]!;
}

describe('the size of a message', () => {
  it('closes an anonymous socket that sends a 10 MB frame with 1009, at the gateway and at a subgraph', async () => {
    const frame = JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `{ plans { code } }${' '.repeat(10 * 1024 * 1024)}` } });
    for (const url of [supergraph.gatewayUrl, supergraph.subgraphUrls.billing]) {
      expect(await closeCodeAfterSending(url, frame)).toBe(1009);
    }
  });

  it('closes the socket that subscribes with 180,000 aliases (3.2 MB) before any of it is parsed', async () => {
    const fields = Array.from({ length: 180_000 }, (_, i) => `a${i}: activeCalls`).join(' ');
    const socket = open(supergraph.gatewayUrl, acme.owner.token);
    const result = await socket
      .subscribe(`subscription { realtimeMetrics(organizationId: "${acme.organization.id}") { ${fields} } }`)
      .next();

    expect(result.errors?.[0]?.extensions?.closeCode).toBe(1009);
    expect(socket.closes[0]?.code).toBe(1009);
  });
});

describe('the document limits, on every subscribe', () => {
  it('refuses a subscription with too many aliases at the gateway and at the subgraph, keeping the socket', async () => {
    const fields = Array.from({ length: 31 }, (_, i) => `a${i}: activeCalls`).join(' ');
    const query = `subscription { realtimeMetrics(organizationId: "${acme.organization.id}") { ${fields} } }`;
    for (const url of [supergraph.gatewayUrl, supergraph.subgraphUrls.analytics]) {
      const socket = open(url, acme.owner.token);
      const refused = await socket.subscribe(query).next();
      expect(refused.errors?.[0]).toMatchObject({
        message: 'Query has 31 aliases, more than the limit of 30',
        extensions: { code: 'QUERY_TOO_COMPLEX', limit: 'aliases', max: 30, found: 31 },
      });

      const allowed = await socket.subscribe(metrics()).next();
      expect(allowed.errors).toBeUndefined();
      expect(socket.closes).toEqual([]);
    }
  });

  it('refuses text over the token limit before parsing it, and queries over the socket like subscriptions', async () => {
    const socket = open(supergraph.gatewayUrl);
    const tokens = await socket.subscribe(`{ ${'__typename '.repeat(2_500)}}`).next();
    expect(tokens.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'tokens' });

    const deep = await socket.subscribe(`{ me { ${'memberships { organization { '.repeat(5)}id${' } }'.repeat(5)} } }`).next();
    expect(deep.errors?.[0]?.extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', limit: 'depth' });
  });
});

describe('sockets and subscriptions per user', () => {
  it('closes the sockets of one token beyond the cap with 4430, and keeps the others serving', async () => {
    const { token } = acme.members[1]!;
    const firsts = Array.from({ length: MAX_SOCKETS_PER_USER }, () => open(supergraph.gatewayUrl, token));
    for (const socket of firsts) expect((await socket.subscribe('{ me { id } }').next()).errors).toBeUndefined();

    const beyond = Array.from({ length: 20 }, () => open(supergraph.gatewayUrl, token));
    for (const socket of beyond) {
      expect(await waitForClose(socket)).toEqual({ code: 4430, reason: `Too many sockets: at most ${MAX_SOCKETS_PER_USER} per user` });
    }
    for (const socket of firsts) {
      expect((await socket.subscribe('{ me { id } }').next()).errors).toBeUndefined();
      expect(socket.closes).toEqual([]);
    }

    // Another user is not affected, and a socket that closes frees its place.
    const other = open(supergraph.gatewayUrl, acme.members[2]!.token);
    expect((await other.subscribe('{ me { id } }').next()).errors).toBeUndefined();
    await firsts[0]!.dispose();
    expect(await servedOnceTheServerSeesTheClose(token)).toBe(true);
  });

  it('refuses a subscription beyond the cap per socket and per user with TOO_MANY_SUBSCRIPTIONS', async () => {
    const { token } = acme.members[0]!;
    const first = open(supergraph.gatewayUrl, token);
    for (let i = 0; i < MAX_SUBSCRIPTIONS_PER_SOCKET; i += 1) expect((await first.subscribe(metrics()).next()).errors).toBeUndefined();
    const perSocket = await first.subscribe(metrics()).next();
    expect(perSocket.errors?.[0]).toMatchObject({ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', scope: 'socket', max: 2 } });

    const second = open(supergraph.gatewayUrl, token);
    expect((await second.subscribe(metrics()).next()).errors).toBeUndefined();
    const perUser = await second.subscribe(metrics()).next();
    expect(perUser.errors?.[0]).toMatchObject({ extensions: { code: 'TOO_MANY_SUBSCRIPTIONS', scope: 'user', max: 3 } });
    expect(first.closes).toEqual([]);
    expect(second.closes).toEqual([]);
  });
});

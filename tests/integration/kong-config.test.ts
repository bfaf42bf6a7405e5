import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { REST_ROUTES } from '../../gateway/rest/route-table';
import { kongConfig, readKongTemplate } from '../../runtime/kong-config';

const ROOT = path.resolve(__dirname, '../..');
const kong = parse(readFileSync(path.join(ROOT, 'deploy/kong/kong.yml'), 'utf8')) as {
  _format_version: string;
  services: { name: string; url: string; plugins: { name: string; config?: Record<string, unknown> }[]; routes: Route[] }[];
  consumers: { username: string; jwt_secrets?: { key: string; algorithm: string; rsa_public_key: string }[] }[];
  plugins: { name: string; config?: Record<string, any> }[];
};
interface Route {
  name: string;
  paths: string[];
  methods?: string[];
  protocols: string[];
  strip_path: boolean;
  response_buffering?: boolean;
  regex_priority?: number;
  plugins?: { name: string; config?: Record<string, any> }[];
}
const [gateway] = kong.services;
const routes = gateway!.routes;

/** Kong's router, as far as these routes need it: a `~` path is an anchored regex, any other a prefix; the highest regex_priority wins. */
function routed(method: string, requestPath: string): Route[] {
  const matching = routes.filter(
    (route) =>
      (!route.methods || route.methods.includes(method)) &&
      route.paths.some((p) => (p.startsWith('~') ? new RegExp(`^${p.slice(1)}`).test(requestPath) : requestPath.startsWith(p))),
  );
  const top = Math.max(...matching.map((route) => route.regex_priority ?? 0));
  return matching.filter((route) => (route.regex_priority ?? 0) === top);
}

describe('deploy/kong/kong.yml', () => {
  it('is DB-less declarative config in Kong 3 format, every route and plugin named once', () => {
    expect(kong._format_version).toBe('3.0');
    expect(kong.services).toHaveLength(1);
    expect(gateway).toMatchObject({ name: 'auralink-gateway', url: 'http://gateway:4000' });
    const names = routes.map((route) => route.name);
    expect(new Set(names).size).toBe(names.length);
    for (const route of routes) {
      expect(route.name).toMatch(/^[a-z0-9-]+$/);
      expect(route.paths.length).toBeGreaterThan(0);
      for (const p of route.paths) expect(p).toMatch(/^(\/|~\/)/);
      expect(route.protocols).toEqual(['http', 'https']);
      expect(route.strip_path).toBe(false);
      for (const method of route.methods ?? []) expect(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']).toContain(method);
    }
    const globalNames = kong.plugins.map((plugin) => plugin.name);
    expect(new Set(globalNames).size).toBe(globalNames.length);
  });

  it('routes every REST endpoint of the route table, by method, to exactly one route', () => {
    for (const route of REST_ROUTES) {
      const example = route.path.replace(/\{\w+\}/g, 'x_1');
      const matched = routed(route.method, example).filter((candidate) => candidate.name.startsWith('rest-'));
      expect(matched[0]?.paths).toEqual([`~${route.path.replace(/\{\w+\}/g, '[^/]+')}$`]);
      expect({ route: `${route.method} ${route.path}`, matched: matched.length }).toEqual({
        route: `${route.method} ${route.path}`,
        matched: 1,
      });
      const admin = matched[0]!.plugins?.some((plugin) => plugin.name === 'ip-restriction') ?? false;
      expect({ route: route.path, admin }).toEqual({ route: route.path, admin: route.admin === true });
    }
    // A path the table does not have is not routed to the shim.
    expect(routed('GET', '/api/v1/nothing').filter((route) => route.name.startsWith('rest-'))).toEqual([]);
  });

  it('routes GraphQL over HTTP and WebSocket unbuffered, sign-in and the dashboard', () => {
    const [graphql] = routed('POST', '/graphql');
    expect(graphql).toMatchObject({ name: 'graphql', response_buffering: false });
    expect(graphql!.methods).toBeUndefined(); // GET carries the WebSocket upgrade
    expect(routed('POST', '/api/v1/auth/token/refresh').map((route) => route.name)).toEqual(['auth']);
    expect(routed('GET', '/dashboard/').map((route) => route.name)).toEqual(['dashboard']);
    expect(routed('GET', '/api/v1/openapi.json').map((route) => route.name)).toEqual(['openapi']);
  });

  it('has the edge plugins: jwt with identity’s EdDSA key, rate limits in Redis, CORS, bot detection, correlation id, metrics, body size', () => {
    const jwt = gateway!.plugins.find((plugin) => plugin.name === 'jwt');
    expect(jwt?.config).toMatchObject({ key_claim_name: 'iss', claims_to_verify: ['exp'], anonymous: 'auralink-anonymous' });
    const identity = kong.consumers.find((consumer) => consumer.username === 'auralink-identity');
    expect(identity?.jwt_secrets?.[0]).toMatchObject({ algorithm: 'EdDSA', key: 'auralink-identity' });
    expect(kong.consumers.map((consumer) => consumer.username)).toContain('auralink-anonymous');
    expect(gateway!.plugins.map((plugin) => plugin.name)).toContain('prometheus');
    const byName = new Map(kong.plugins.map((plugin) => [plugin.name, plugin.config ?? {}]));
    expect(byName.get('rate-limiting')).toMatchObject({ policy: 'redis', redis: { host: 'redis', port: 6379 } });
    expect(byName.get('request-size-limiting')).toMatchObject({ allowed_payload_size: 1, size_unit: 'megabytes' });
    expect(byName.get('correlation-id')).toMatchObject({ header_name: 'X-Request-Id' });
    for (const name of ['cors', 'bot-detection']) expect(byName.has(name)).toBe(true);
  });

  it('is what the generator makes of the template and the route table (npm run generate)', () => {
    expect(kongConfig(REST_ROUTES, readKongTemplate(ROOT))).toBe(readFileSync(path.join(ROOT, 'deploy/kong/kong.yml'), 'utf8'));
  });
});

import path from 'node:path';
import type { Express, Response } from 'express';

/** The page and its script (this folder's `public/`), and the two libraries it uses, straight from node_modules. */
const PUBLIC = path.resolve(__dirname, 'public');
/** A package's `dist/` folder, from its main entry (their export maps do not list these browser builds). */
const distOf = (name: string) => path.dirname(require.resolve(name));
const FILES: Record<string, { file: string; type: string }> = {
  '/dashboard': { file: path.join(PUBLIC, 'index.html'), type: 'text/html; charset=utf-8' },
  '/dashboard/dashboard.js': { file: path.join(PUBLIC, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  '/dashboard/dashboard.css': { file: path.join(PUBLIC, 'dashboard.css'), type: 'text/css; charset=utf-8' },
  '/dashboard/vendor/uplot.js': { file: path.join(distOf('uplot'), 'uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  '/dashboard/vendor/uplot.css': { file: path.join(distOf('uplot'), 'uPlot.min.css'), type: 'text/css; charset=utf-8' },
  '/dashboard/vendor/graphql-ws.js': {
    file: path.join(distOf('graphql-ws'), '..', 'umd', 'graphql-ws.min.js'),
    type: 'text/javascript; charset=utf-8',
  },
};

/**
 * Its content security policy: scripts, styles and images from this origin only (uPlot sets
 * element styles, hence `style-src 'unsafe-inline'`), WebSockets to this origin's /graphql,
 * never framed. Replaces the API's `default-src 'none'` on these responses only.
 */
const PAGE_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' ws: wss:",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * The live dashboard at /dashboard: a static page that signs in with a pasted token, subscribes
 * to `realtimeMetrics` over graphql-ws on this origin and draws the figures with uPlot.
 */
export function mountDashboard(app: Express): void {
  for (const [route, { file, type }] of Object.entries(FILES)) {
    app.get(route, (_req, res: Response) => {
      res.setHeader('Content-Security-Policy', PAGE_POLICY);
      res.setHeader('Cache-Control', route === '/dashboard' ? 'no-cache' : 'public, max-age=300');
      res.type(type);
      res.sendFile(file);
    });
  }
}

/** The same server, another database: `postgres://u@h:5432/test` → `postgres://u@h:5432/<database>`. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

import { TEMPLATE_ENV, withAdminClient } from './kit/database';
import { SERVICES_GLOBAL } from './kit/test-services';
import type { TestServices } from './kit/test-services';

export default async function globalTeardown(): Promise<void> {
  const template = process.env[TEMPLATE_ENV];
  try {
    if (template) await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`));
  } finally {
    await ((globalThis as Record<string, unknown>)[SERVICES_GLOBAL] as TestServices | undefined)?.stop();
  }
}

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { jobDefinitions } from './jobs';

const README = readFileSync(path.resolve(__dirname, '..', 'README.md'), 'utf8');

/** The README's table of jobs (section "Jobs"): each row's job name and cron. */
function documentedJobs(): Map<string, string> {
  const section = README.slice(README.indexOf('\n## Jobs'), README.indexOf('\n## ', README.indexOf('\n## Jobs') + 1));
  const rows = [...section.matchAll(/^\| `([a-z]+\.[a-z-]+)`\s*\|[^|]*\|\s*`([^`]+)`\s*\|$/gm)];
  return new Map(rows.map(([, name, cron]) => [name!, cron!]));
}

describe("README's Jobs table", () => {
  it('lists every defined job with the schedule it runs on, and no other', () => {
    const defined = new Map(jobDefinitions().map((definition) => [definition.name, definition.schedule ?? 'when asked']));
    expect(Object.fromEntries(documentedJobs())).toEqual(Object.fromEntries(defined));
  });
});

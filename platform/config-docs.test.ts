import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_VARIABLES, SUBGRAPH_NAMES } from './config';

const ROOT = path.resolve(__dirname, '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** `IDENTITY_PORT` is documented once as `<SUBGRAPH>_PORT`. */
function documentedAs(variable: string): string {
  const perSubgraph = /^([A-Z]+)_(PORT|URL)$/.exec(variable);
  return perSubgraph && SUBGRAPH_NAMES.some((name) => name.toUpperCase() === perSubgraph[1])
    ? `\`<SUBGRAPH>_${perSubgraph[2]}\``
    : `\`${variable}\``;
}

describe('every setting is documented', () => {
  it.each(CONFIG_VARIABLES)('%s is in .env.example', (variable) => {
    expect(read('.env.example')).toMatch(new RegExp(`^${variable}=`, 'm'));
  });

  it.each(CONFIG_VARIABLES)("%s is in README's configuration table", (variable) => {
    const readme = read('README.md');
    const table = readme.slice(readme.indexOf('## Configuration'), readme.indexOf('## Development'));
    expect(table).toContain(documentedAs(variable));
  });
});

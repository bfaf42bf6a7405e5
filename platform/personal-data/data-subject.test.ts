import { BadUserInputError } from '../errors';
import { exportSections } from './data-subject';
import type { DataSubjectSection } from './data-subject';

/** A section over fixed ids, keyed by id, as the SQL sections read theirs (after the key, in order). */
function section(kind: string, ids: string[]): DataSubjectSection & { reads: number } {
  const sorted = [...ids].sort();
  const result = {
    kind,
    reads: 0,
    read: (_subject: unknown, after: string | null, limit: number) => {
      result.reads += 1;
      return Promise.resolve(
        sorted
          .filter((id) => after === null || id > after)
          .slice(0, limit)
          .map((id) => ({ record: { kind, id, data: {} }, key: id })),
      );
    },
  };
  return result;
}

const subject = { organizationId: 'org_1', userId: 'user_1' };

async function everyPage(sections: DataSubjectSection[], first: number): Promise<{ pages: string[][]; cursors: (string | null)[] }> {
  const pages: string[][] = [];
  const cursors: (string | null)[] = [];
  let after: string | null = null;
  do {
    const page = await exportSections(sections, subject, after, first);
    pages.push(page.records.map((record) => `${record.kind}:${record.id}`));
    cursors.push(page.next);
    after = page.next;
  } while (after !== null);
  return { pages, cursors };
}

describe('exportSections', () => {
  it('hands out every record of every section once, in order, a page at a time', async () => {
    const sessions = Array.from({ length: 7 }, (_, i) => `s${i}`);
    const { pages } = await everyPage([section('user', ['u1']), section('session', sessions), section('consent', ['c1', 'c2'])], 3);
    expect(pages).toEqual([
      ['user:u1', 'session:s0', 'session:s1'],
      ['session:s2', 'session:s3', 'session:s4'],
      ['session:s5', 'session:s6', 'consent:c1'],
      ['consent:c2'],
    ]);
  });

  it('a page ending where a section ends goes on with the next section', async () => {
    const { pages, cursors } = await everyPage([section('a', ['1', '2']), section('b', ['3'])], 2);
    expect(pages).toEqual([['a:1', 'a:2'], ['b:3']]);
    expect(cursors).toEqual(['1:', null]);
  });

  it('starts each page after the last key: records added before the cursor are not handed out twice', async () => {
    const ids = ['k1', 'k2', 'k3', 'k4'];
    const first = await exportSections([section('a', ids)], subject, null, 2);
    ids.unshift('k0');
    const second = await exportSections([section('a', ids)], subject, first.next, 2);
    expect(second.records.map((record) => record.id)).toEqual(['k3', 'k4']);
  });

  it('refuses a cursor that is not one of this export', async () => {
    await expect(exportSections([section('a', ['1'])], subject, '7:x', 2)).rejects.toBeInstanceOf(BadUserInputError);
    await expect(exportSections([section('a', ['1'])], subject, 'nonsense', 2)).rejects.toBeInstanceOf(BadUserInputError);
  });
});

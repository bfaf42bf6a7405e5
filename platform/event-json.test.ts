import { decodeEvent, encodeEvent, fromJsonTree, toJsonTree } from './event-json';

describe('event JSON', () => {
  const at = new Date('2026-03-01T12:34:56.789Z');

  it('brings dates back as dates, wherever they are', () => {
    const event = { at, nested: { list: [at, { when: at }] }, name: 'x', count: 3, none: null };
    const decoded = decodeEvent<typeof event>(encodeEvent(event));
    expect(decoded).toEqual(event);
    expect(decoded.at).toBeInstanceOf(Date);
    expect(decoded.nested.list[0]).toBeInstanceOf(Date);
  });

  it('leaves strings that look like dates alone: only dates it wrote come back as dates', () => {
    expect(decodeEvent(encodeEvent({ text: at.toISOString() }))).toEqual({ text: at.toISOString() });
  });

  it('stores a tree a jsonb column keeps, and reads it back', () => {
    const tree = toJsonTree({ at, id: 'evt_1' });
    expect(tree).toEqual({ at: { $date: at.toISOString() }, id: 'evt_1' });
    expect(fromJsonTree(tree)).toEqual({ at, id: 'evt_1' });
  });
});

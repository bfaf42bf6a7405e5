import { addMonth } from './subscription.service';

describe('addMonth', () => {
  it.each([
    ['2026-01-15T10:00:00.000Z', '2026-02-15T10:00:00.000Z'],
    ['2026-01-31T00:00:00.000Z', '2026-02-28T00:00:00.000Z'],
    ['2028-01-31T00:00:00.000Z', '2028-02-29T00:00:00.000Z'],
    ['2026-12-31T00:00:00.000Z', '2027-01-31T00:00:00.000Z'],
    ['2026-03-31T23:59:59.999Z', '2026-04-30T23:59:59.999Z'],
    ['2026-02-28T12:34:56.789Z', '2026-03-28T12:34:56.789Z'],
  ])('moves %s to %s', (start, end) => {
    expect(addMonth(new Date(start)).toISOString()).toBe(end);
  });

  it('does not change its argument', () => {
    const start = new Date('2026-01-31T00:00:00.000Z');

    addMonth(start);

    expect(start.toISOString()).toBe('2026-01-31T00:00:00.000Z');
  });
});

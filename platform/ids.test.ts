import { BadUserInputError } from './errors';
import { newId, parseId } from './ids';

function parseError(value: string, field: string): BadUserInputError {
  try {
    parseId('organization', value, field);
  } catch (error) {
    expect(error).toBeInstanceOf(BadUserInputError);
    return error as BadUserInputError;
  }
  throw new Error(`expected parseId to reject ${JSON.stringify(value)}`);
}

describe('newId', () => {
  it('prefixes organization ids with org_', () => {
    expect(newId('organization')).toMatch(/^org_[0-9A-Z]{26}$/);
  });

  it('uses the prefix of each kind', () => {
    expect(newId('user')).toMatch(/^user_/);
    expect(newId('member')).toMatch(/^mem_/);
    expect(newId('subscription')).toMatch(/^sub_/);
  });

  it('makes ids that sort in creation order as strings', () => {
    const ids = Array.from({ length: 500 }, () => newId('organization'));

    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });
});

describe('parseId', () => {
  it('accepts org_123 and a newly made id', () => {
    const id = newId('organization');

    expect(parseId('organization', 'org_123', 'organizationId')).toBe('org_123');
    expect(parseId('organization', id, 'organizationId')).toBe(id);
  });

  it.each([
    ['an id of another kind', 'user_1'],
    ['a bare prefix', 'org_'],
    ['a value with a space', 'org_a b'],
    ['a 200-character value', `org_${'a'.repeat(196)}`],
  ])('rejects %s with BAD_USER_INPUT naming the field', (_label, value) => {
    const error = parseError(value, 'organizationId');

    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.extensions.field).toBe('organizationId');
    expect(error.message).toMatch(/^organizationId: /);
    expect(error.message).toContain('organization id');
  });

  it('quotes a short bad value in full', () => {
    expect(parseError('user_1', 'orgId').message).toContain('"user_1"');
  });

  it('truncates a long bad value in the message', () => {
    const value = `org_${'a'.repeat(196)}`;
    const error = parseError(value, 'organizationId');

    expect(value).toHaveLength(200);
    expect(error.message).not.toContain(value);
    expect(error.message).toContain(`"${value.slice(0, 40)}…"`);
    expect(error.message.length).toBeLessThan(200);
  });
});

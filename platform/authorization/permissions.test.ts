import { BadUserInputError } from '../errors';
import { grantCovers, parsePermission } from './permissions';

describe('parsePermission', () => {
  it('reads catalogued permissions and wildcards', () => {
    expect(parsePermission('members:read', 'p')).toEqual({ resource: 'members', action: 'read' });
    expect(parsePermission(' billing:* ', 'p')).toEqual({ resource: 'billing', action: '*' });
    expect(parsePermission('*:read', 'p')).toEqual({ resource: '*', action: 'read' });
    expect(parsePermission('*:*', 'p')).toEqual({ resource: '*', action: '*' });
  });

  it.each([
    ['members', /write resource:action/],
    ['member:read', /unknown resource "member"/],
    ['billing:delete', /"billing" has no action "delete"; one of read, update or \*/],
    ['*:fly', /no resource has the action "fly"/],
    ['Members:Read', /write resource:action/],
  ])('refuses %s, naming the field and what is allowed', (value, message) => {
    const attempt = () => parsePermission(value, 'input.permissions[0]');
    expect(attempt).toThrow(BadUserInputError);
    expect(attempt).toThrow(message);
    expect(attempt).toThrow(/^input\.permissions\[0\]: /);
  });
});

describe('grantCovers', () => {
  it('lets a wildcard grant cover narrower permissions, never the reverse', () => {
    expect(grantCovers({ resource: 'billing', action: '*' }, { resource: 'billing', action: 'update' })).toBe(true);
    expect(grantCovers({ resource: '*', action: '*' }, { resource: 'billing', action: '*' })).toBe(true);
    expect(grantCovers({ resource: 'billing', action: 'update' }, { resource: 'billing', action: '*' })).toBe(false);
    expect(grantCovers({ resource: 'members', action: '*' }, { resource: '*', action: '*' })).toBe(false);
  });
});

import { createHmac, timingSafeEqual } from 'node:crypto';
import { ForbiddenError } from './errors';

/**
 * Download links whose query token is the grant: the claims as base64url JSON, their expiry,
 * and an HMAC-SHA256 over both under a key of the link's own purpose (`derivedKey(config, …)`).
 * Whoever holds the link may use it until it expires; the route still checks that the person
 * it names may do what it grants when it is used.
 */
export class SignedLinks<Claims extends object> {
  constructor(private readonly key: Buffer) {}

  sign(claims: Claims, expiresAt: Date): string {
    const payload = Buffer.from(JSON.stringify({ c: claims, e: Math.floor(expiresAt.getTime() / 1000) })).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The claims of a token signed with this key that has not expired; FORBIDDEN otherwise. */
  open(token: string, now = new Date()): { claims: Claims; expiresAt: Date } {
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) throw new ForbiddenError('This download link is not valid');
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw new ForbiddenError('This download link is not valid');
    const { c, e } = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { c: Claims; e: number };
    if (e * 1000 < now.getTime()) throw new ForbiddenError('This download link has expired: ask for a new one');
    return { claims: c, expiresAt: new Date(e * 1000) };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}

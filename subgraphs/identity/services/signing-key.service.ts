import { errors, exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8 } from 'jose';
import type { JSONWebKeySet, JWTVerifyGetKey, KeyLike } from 'jose';
import { IsNull } from 'typeorm';
import type { DataSource, Repository } from 'typeorm';
import { SESSION_TOKEN_ALGORITHM } from '../../../platform/auth/token-verifier';
import { newId } from '../../../platform/ids';
import type { SecretBox } from '../../../platform/secrets';
import { SigningKey } from '../entities/signing-key.entity';

export interface ActiveSigningKey {
  kid: string;
  privateKey: KeyLike;
}

/**
 * Identity's token-signing keys (Ed25519). The newest unretired key signs; every
 * unretired key is published in the JWKS so tokens stay verifiable through a rotation.
 */
export class SigningKeyService {
  private readonly keys: Repository<SigningKey>;
  private active: Promise<ActiveSigningKey> | undefined;
  private readonly publicKeys = new Map<string, Promise<KeyLike>>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: SecretBox,
  ) {
    this.keys = dataSource.getRepository(SigningKey);
  }

  /** The key to sign with, created on first use. Cached for the life of the process. */
  async activeKey(): Promise<ActiveSigningKey> {
    this.active ??= this.loadOrCreate().catch((error: unknown) => {
      this.active = undefined;
      throw error;
    });
    return this.active;
  }

  async publicKeySet(): Promise<JSONWebKeySet> {
    await this.activeKey();
    const keys = await this.keys.find({ where: { retiredAt: IsNull() }, order: { id: 'DESC' } });
    return { keys: keys.map((key) => ({ ...key.publicJwk, kid: key.id, alg: key.algorithm, use: 'sig' })) };
  }

  /** Verifies with the keys in this service's own table, so identity needs no HTTP call to itself. */
  readonly verificationKey: JWTVerifyGetKey = async ({ kid }) => {
    if (!kid) throw new errors.JWKSNoMatchingKey();
    let key = this.publicKeys.get(kid);
    if (!key) {
      const row = await this.keys.findOneBy({ id: kid, retiredAt: IsNull() });
      if (!row) throw new errors.JWKSNoMatchingKey();
      key = importJWK(row.publicJwk, row.algorithm) as Promise<KeyLike>;
      this.publicKeys.set(kid, key);
    }
    return key;
  };

  private async loadOrCreate(): Promise<ActiveSigningKey> {
    // One instance creates the first key; concurrent starters wait on the lock and then find it.
    return this.dataSource.transaction(async (manager) => {
      await manager.query("SELECT pg_advisory_xact_lock(hashtext('identity.signing_keys'))");
      let newest = await manager.findOne(SigningKey, { where: { retiredAt: IsNull() }, order: { id: 'DESC' } });
      if (!newest) {
        newest = await manager.save(await this.newKey());
      }
      return { kid: newest.id, privateKey: await importPKCS8(this.secrets.open(newest.privateKeySealed), newest.algorithm) };
    });
  }

  private async newKey(): Promise<SigningKey> {
    const { publicKey, privateKey } = await generateKeyPair(SESSION_TOKEN_ALGORITHM, { extractable: true });
    return this.keys.create({
      id: newId('signingKey'),
      algorithm: SESSION_TOKEN_ALGORITHM,
      publicJwk: await exportJWK(publicKey),
      privateKeySealed: this.secrets.seal(await exportPKCS8(privateKey)),
      retiredAt: null,
    });
  }
}

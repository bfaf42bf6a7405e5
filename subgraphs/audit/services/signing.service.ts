import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { newId } from '../../../platform/ids';
import type { SecretBox } from '../../../platform/secrets';
import { Checkpoint } from '../entities/checkpoint.entity';
import { AuditSigningKey } from '../entities/signing-key.entity';
import { canonicalJson } from './canonical-json';

/** What a checkpoint's signature covers. */
export function checkpointStatement(checkpoint: Pick<Checkpoint, 'organizationId' | 'sequence' | 'hash' | 'signedAt' | 'keyId'>): Buffer {
  return Buffer.from(
    canonicalJson({
      organizationId: checkpoint.organizationId,
      sequence: Number(checkpoint.sequence),
      hash: checkpoint.hash,
      signedAt: checkpoint.signedAt.toISOString(),
      keyId: checkpoint.keyId,
    }),
  );
}

/**
 * Audit's Ed25519 key and the checkpoints signed with it. The key is made on first use and
 * its private half kept sealed under SECRETS_KEY (platform/secrets.ts), as identity keeps
 * its token keys; a key found later wins a race between two processes making one.
 */
export class SigningService {
  private key: Promise<{ id: string; privateKey: KeyObject }> | null = null;
  private readonly publicKeys = new Map<string, KeyObject>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: SecretBox,
  ) {}

  /** Signs the current head of each organization's chain that moved since its last checkpoint. */
  async checkpoint(organizationIds?: readonly string[]): Promise<Checkpoint[]> {
    const heads = (await this.dataSource.query(
      `SELECT h.organization_id, h.sequence, h.hash FROM audit.chain_heads h
        WHERE h.sequence > 0 AND ($1::text[] IS NULL OR h.organization_id = ANY($1))
          AND h.sequence > COALESCE((SELECT max(c.sequence) FROM audit.checkpoints c WHERE c.organization_id = h.organization_id), 0)`,
      [organizationIds ?? null],
    )) as { organization_id: string; sequence: string; hash: string }[];
    if (heads.length === 0) return [];
    const { id: keyId, privateKey } = await this.signingKey();
    const signedAt = new Date();
    const checkpoints = heads.map((head) => {
      const checkpoint = { organizationId: head.organization_id, sequence: head.sequence, hash: head.hash, signedAt, keyId };
      return { ...checkpoint, signature: sign(null, checkpointStatement(checkpoint), privateKey).toString('base64url') };
    });
    await this.dataSource.createQueryBuilder().insert().into(Checkpoint).values(checkpoints).orIgnore().execute();
    return checkpoints.map((checkpoint) => Object.assign(new Checkpoint(), checkpoint));
  }

  /** Whether the checkpoint's signature is audit's, over what it says. */
  async isAuthentic(checkpoint: Checkpoint): Promise<boolean> {
    const publicKey = await this.publicKey(checkpoint.keyId);
    if (!publicKey) return false;
    return verify(null, checkpointStatement(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64url'));
  }

  private signingKey(): Promise<{ id: string; privateKey: KeyObject }> {
    this.key ??= this.loadOrCreate().catch((error: unknown) => {
      this.key = null;
      throw error;
    });
    return this.key;
  }

  private async loadOrCreate(): Promise<{ id: string; privateKey: KeyObject }> {
    const repository = this.dataSource.getRepository(AuditSigningKey);
    let stored = await repository.findOne({ where: {}, order: { createdAt: 'ASC' } });
    if (!stored) {
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      await repository
        .createQueryBuilder()
        .insert()
        .values({
          id: newId('signingKey'),
          publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
          privateKeySealed: this.secrets.seal(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()),
        })
        .execute();
      stored = (await repository.findOne({ where: {}, order: { createdAt: 'ASC' } }))!;
    }
    return { id: stored.id, privateKey: createPrivateKey(this.secrets.open(stored.privateKeySealed)) };
  }

  private async publicKey(keyId: string): Promise<KeyObject | null> {
    const cached = this.publicKeys.get(keyId);
    if (cached) return cached;
    const stored = await this.dataSource.getRepository(AuditSigningKey).findOneBy({ id: keyId });
    if (!stored) return null;
    const key = createPublicKey(stored.publicKey);
    this.publicKeys.set(keyId, key);
    return key;
  }
}

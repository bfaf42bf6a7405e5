import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Organization } from './organization.entity';

/** How an identity provider speaks: SAML 2.0 or OpenID Connect. */
export enum SsoProviderType {
  SAML = 'saml',
  OIDC = 'oidc',
}

/** Which attribute (SAML) or claim (OIDC) of a sign-in holds what, and which groups give which role. */
export interface SsoAttributeMappingValue {
  email: string;
  name: string;
  groups: string;
  /** A group the identity provider names → a system role id (`role_admin`). */
  groupRoles: { group: string; roleId: string }[];
}

/**
 * An organization's identity provider. The OIDC client secret is stored sealed
 * (platform/secrets.ts, AES-256-GCM under SECRETS_KEY) and never read back to a client.
 */
@Entity({ name: 'sso_configs' })
export class SsoConfig {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Index('sso_configs_organization_id_idx')
  @Column({ name: 'organization_id', type: 'varchar', length: 64 })
  organizationId: string;

  @ManyToOne(() => Organization, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id' })
  organization?: Organization;

  @Column({ name: 'provider_type', type: 'enum', enum: SsoProviderType, enumName: 'sso_provider_type' })
  providerType: SsoProviderType;

  @Column({ name: 'provider_name', type: 'varchar', length: 100 })
  providerName: string;

  @Column({ type: 'boolean' })
  enabled: boolean;

  @Column({ name: 'saml_entity_id', type: 'varchar', length: 1024, nullable: true })
  samlEntityId: string | null;

  @Column({ name: 'saml_sso_url', type: 'varchar', length: 2048, nullable: true })
  samlSsoUrl: string | null;

  /** The identity provider's signing certificates, PEM; several while it rotates its key. */
  @Column({ name: 'saml_certificates', type: 'jsonb' })
  samlCertificates: string[];

  @Column({ name: 'oidc_issuer', type: 'varchar', length: 2048, nullable: true })
  oidcIssuer: string | null;

  @Column({ name: 'oidc_client_id', type: 'varchar', length: 512, nullable: true })
  oidcClientId: string | null;

  /** Sealed (`v1.<iv>.<tag>.<ciphertext>`), never the secret itself. */
  @Column({ name: 'oidc_client_secret_sealed', type: 'text', nullable: true })
  oidcClientSecretSealed: string | null;

  @Column({ name: 'auto_provision_users', type: 'boolean' })
  autoProvisionUsers: boolean;

  @Column({ name: 'default_role_id', type: 'varchar', length: 64 })
  defaultRoleId: string;

  @Column({ name: 'attribute_mapping', type: 'jsonb' })
  attributeMapping: SsoAttributeMappingValue;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}

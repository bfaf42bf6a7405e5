import type { DataSource } from 'typeorm';
import type { Principal } from '../../../platform/auth/principal';
import { OWNER_ROLE_ID, SYSTEM_ROLES } from '../../../platform/authorization/system-roles';
import { assertOwnOrganization } from '../../../platform/context';
import { BadUserInputError, ConflictError, NotFoundError } from '../../../platform/errors';
import { isId, newId } from '../../../platform/ids';
import type { SecretBox } from '../../../platform/secrets';
import { SsoConfig, SsoProviderType } from '../entities/sso-config.entity';
import type { SsoAttributeMappingValue } from '../entities/sso-config.entity';
import type { CreateSsoConfigInput } from '../types/create-sso-config.input';
import type { SsoAttributeMappingInput } from '../types/sso-attribute-mapping.input';
import type { SsoConfigType } from '../types/sso-config.type';
import type { UpdateSsoConfigInput } from '../types/update-sso-config.input';
import { expiresSoon, parseCertificate } from './saml-certificate';
import { parseSamlIdpMetadata } from './saml-metadata';

/** Identity providers an organization may configure. */
export const MAX_SSO_CONFIGS = 20;

/** The system roles a sign-in may give, by name; never the owner's. */
const ASSIGNABLE_ROLES = SYSTEM_ROLES.filter((role) => role.id !== OWNER_ROLE_ID).map((role) => role.id.slice('role_'.length));
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

const SAML_FIELDS = ['metadataXml', 'samlEntityId', 'samlSsoUrl', 'samlCertificates'] as const;
const OIDC_FIELDS = ['oidcIssuer', 'oidcClientId', 'clientSecret'] as const;

type Changes = Omit<UpdateSsoConfigInput, never>;

/**
 * Single sign-on configurations: each names an organization's SAML 2.0 or OIDC identity
 * provider and what a sign-in through it gives (an account when `autoProvisionUsers`, the
 * default role, roles by group). Only the organization's managers (`sso:manage`) see or
 * change them; another organization's configuration is as unknown as one that does not
 * exist. The OIDC client secret is sealed with the platform's SecretBox before it is stored.
 */
export class SsoConfigService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly secrets: SecretBox,
    private readonly now: () => number = Date.now,
  ) {}

  async list(principal: Principal, organizationId: string): Promise<SsoConfigType[]> {
    assertOwnOrganization(principal, organizationId);
    const configs = await this.dataSource
      .getRepository(SsoConfig)
      .find({ where: { organizationId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return configs.map((config) => this.view(config));
  }

  async get(principal: Principal, id: string): Promise<SsoConfigType> {
    return this.view(await this.ownConfig(principal, id));
  }

  async create(principal: Principal, input: CreateSsoConfigInput): Promise<SsoConfigType> {
    assertOwnOrganization(principal, input.organizationId, 'input.organizationId');
    const config = Object.assign(new SsoConfig(), {
      id: newId('ssoConfig'),
      organizationId: input.organizationId,
      providerType: input.providerType,
      enabled: true,
      samlEntityId: null,
      samlSsoUrl: null,
      samlCertificates: [],
      oidcIssuer: null,
      oidcClientId: null,
      oidcClientSecretSealed: null,
      autoProvisionUsers: false,
      defaultRoleId: 'role_member',
      attributeMapping: mappingOf(null),
    } satisfies Partial<SsoConfig>);
    this.apply(config, input);
    const saved = await this.dataSource.transaction(async (manager) => {
      // One writer at a time per organization, so the cap holds under concurrent creations.
      await manager.query('SELECT 1 FROM identity.organizations WHERE id = $1 FOR UPDATE', [input.organizationId]);
      const count = await manager.getRepository(SsoConfig).count({ where: { organizationId: input.organizationId } });
      if (count >= MAX_SSO_CONFIGS) {
        throw new ConflictError(`The organization already has ${MAX_SSO_CONFIGS} SSO configurations: delete one first`);
      }
      return manager.getRepository(SsoConfig).save(config);
    });
    return this.view(saved);
  }

  async update(principal: Principal, id: string, changes: UpdateSsoConfigInput): Promise<SsoConfigType> {
    const config = await this.ownConfig(principal, id);
    this.apply(config, changes);
    return this.view(await this.dataSource.getRepository(SsoConfig).save(config));
  }

  /** Deletes a configuration: sign-in through it is refused from then on. Answers it as it was. */
  async delete(principal: Principal, id: string): Promise<SsoConfigType> {
    const config = await this.ownConfig(principal, id);
    await this.dataSource.getRepository(SsoConfig).delete({ id: config.id, organizationId: principal.organizationId });
    return this.view(config);
  }

  /**
   * The configuration a sign-in starts or ends with: enabled and of `type`. Anything else
   * (unknown, disabled, another type, not an id) is NOT_FOUND naming `config_id`, so a
   * sign-in page tells nobody which organizations have which providers.
   */
  async forSignIn(id: string, type: SsoProviderType): Promise<SsoConfig> {
    const config = isId('ssoConfig', id) ? await this.dataSource.getRepository(SsoConfig).findOneBy({ id }) : null;
    if (!config || !config.enabled || config.providerType !== type) throw new NotFoundError('SsoConfig', id.slice(0, 64), 'config_id');
    return config;
  }

  /** The OIDC client secret in clear, for the token request only; undefined when none is stored. */
  clientSecretOf(config: SsoConfig): string | undefined {
    return config.oidcClientSecretSealed ? this.secrets.open(config.oidcClientSecretSealed) : undefined;
  }

  private async ownConfig(principal: Principal, id: string): Promise<SsoConfig> {
    if (!isId('ssoConfig', id)) throw new BadUserInputError(`id: "${id.slice(0, 40)}" is not an SSO configuration id (sso_…)`, 'id');
    const config = await this.dataSource.getRepository(SsoConfig).findOneBy({ id, organizationId: principal.organizationId });
    // Another organization's configuration is as unknown as one that does not exist.
    if (!config) throw new NotFoundError('SsoConfig', id, 'id');
    return config;
  }

  /** Applies an input's fields to `config` (omitted: unchanged), then checks the result is usable. */
  private apply(config: SsoConfig, changes: Changes): void {
    const foreign = config.providerType === SsoProviderType.SAML ? OIDC_FIELDS : SAML_FIELDS;
    for (const field of foreign) {
      if (changes[field] !== undefined && changes[field] !== null) {
        throw new BadUserInputError(
          `input.${field}: is for ${config.providerType === SsoProviderType.SAML ? 'an OIDC' : 'a SAML'} configuration; this one is ${config.providerType.toUpperCase()}`,
          `input.${field}`,
        );
      }
    }
    if (changes.providerName != null) config.providerName = changes.providerName.trim();
    if (changes.enabled != null) config.enabled = changes.enabled;
    if (changes.autoProvisionUsers != null) config.autoProvisionUsers = changes.autoProvisionUsers;
    if (changes.defaultRole != null) config.defaultRoleId = roleIdOf(changes.defaultRole, 'input.defaultRole');
    if (changes.attributeMapping !== undefined) config.attributeMapping = mappingOf(changes.attributeMapping);

    if (config.providerType === SsoProviderType.SAML) {
      let { samlEntityId, samlSsoUrl, samlCertificates } = changes;
      let certificatesField = (index: number) => `input.samlCertificates[${index}]`;
      if (changes.metadataXml != null) {
        let metadata;
        try {
          metadata = parseSamlIdpMetadata(changes.metadataXml);
        } catch (error) {
          throw new BadUserInputError(`input.metadataXml: ${(error as Error).message}`, 'input.metadataXml');
        }
        samlEntityId ??= metadata.entityId;
        samlSsoUrl ??= metadata.ssoUrl;
        if (samlCertificates === undefined || samlCertificates === null) {
          samlCertificates = metadata.certificates;
          certificatesField = () => 'input.metadataXml';
        }
      }
      if (samlEntityId !== undefined) config.samlEntityId = samlEntityId?.trim() || null;
      if (samlSsoUrl !== undefined) config.samlSsoUrl = samlSsoUrl === null ? null : urlOf(samlSsoUrl, 'input.samlSsoUrl');
      if (samlCertificates !== undefined) config.samlCertificates = certificatesOf(samlCertificates ?? [], certificatesField);
      if (!config.samlEntityId) throw missing('samlEntityId', 'the identity provider’s entity id');
      if (!config.samlSsoUrl) throw missing('samlSsoUrl', 'the identity provider’s single sign-on URL');
      if (config.samlCertificates.length === 0) throw missing('samlCertificates', 'at least one signing certificate');
    } else {
      if (changes.oidcIssuer !== undefined) {
        config.oidcIssuer = changes.oidcIssuer === null ? null : urlOf(changes.oidcIssuer, 'input.oidcIssuer', { issuer: true });
      }
      if (changes.oidcClientId !== undefined) config.oidcClientId = changes.oidcClientId?.trim() || null;
      if (changes.clientSecret !== undefined) {
        config.oidcClientSecretSealed = changes.clientSecret ? this.secrets.seal(changes.clientSecret) : null;
      }
      if (!config.oidcIssuer) throw missing('oidcIssuer', 'the issuer URL');
      if (!config.oidcClientId) throw missing('oidcClientId', 'the client id');
    }
  }

  private view(config: SsoConfig): SsoConfigType {
    const now = this.now();
    const certificates = config.samlCertificates.map((pem) => {
      const parsed = parseCertificate(pem);
      return { ...parsed, expiresSoon: expiresSoon(parsed, now) };
    });
    return {
      id: config.id,
      organizationId: config.organizationId,
      providerType: config.providerType,
      providerName: config.providerName,
      enabled: config.enabled,
      samlEntityId: config.samlEntityId,
      samlSsoUrl: config.samlSsoUrl,
      samlCertificates: certificates,
      certificateExpiresSoon: certificates.some((certificate) => certificate.expiresSoon),
      oidcIssuer: config.oidcIssuer,
      oidcClientId: config.oidcClientId,
      clientSecretSet: config.oidcClientSecretSealed !== null,
      autoProvisionUsers: config.autoProvisionUsers,
      defaultRole: roleNameOf(config.defaultRoleId),
      attributeMapping: {
        emailAttribute: config.attributeMapping.email,
        nameAttribute: config.attributeMapping.name,
        groupsAttribute: config.attributeMapping.groups,
        groupRoles: config.attributeMapping.groupRoles.map(({ group, roleId }) => ({ group, role: roleNameOf(roleId) })),
      },
      createdAt: config.createdAt,
      updatedAt: config.updatedAt,
    };
  }
}

function missing(field: string, what: string): BadUserInputError {
  return new BadUserInputError(`input.${field}: is required (${what})`, `input.${field}`);
}

/** A system role name (`member`, or its id `role_member`) as its id; the owner's role is never given by a sign-in. */
export function roleIdOf(name: string, field: string): string {
  const normal = name
    .trim()
    .toLowerCase()
    .replace(/^role_/, '');
  if (!ASSIGNABLE_ROLES.includes(normal)) {
    throw new BadUserInputError(
      `${field}: "${name.slice(0, 40)}" is not a role a sign-in may give; one of ${ASSIGNABLE_ROLES.join(', ')}`,
      field,
    );
  }
  return `role_${normal}`;
}

function roleNameOf(roleId: string): string {
  return roleId.replace(/^role_/, '');
}

function mappingOf(input: SsoAttributeMappingInput | null | undefined): SsoAttributeMappingValue {
  return {
    email: input?.emailAttribute?.trim() || 'email',
    name: input?.nameAttribute?.trim() || 'name',
    groups: input?.groupsAttribute?.trim() || 'groups',
    groupRoles: (input?.groupRoles ?? []).map(({ group, role }, index) => ({
      group: group.trim(),
      roleId: roleIdOf(role, `input.attributeMapping.groupRoles[${index}].role`),
    })),
  };
}

/** An https URL (http only for this machine, for a local identity provider), without credentials. */
function urlOf(value: string, field: string, options: { issuer?: boolean } = {}): string {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new BadUserInputError(`${field}: "${value.slice(0, 60)}" is not a URL`, field);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname))) {
    throw new BadUserInputError(`${field}: must be an https URL (http only for localhost)`, field);
  }
  if (url.username || url.password) throw new BadUserInputError(`${field}: must not carry a user name or password`, field);
  // OpenID Connect Discovery 1.0 §2: an issuer has no query or fragment, and is compared as written.
  if (options.issuer) {
    if (url.search || url.hash) throw new BadUserInputError(`${field}: an issuer has no query or fragment`, field);
    return value.trim();
  }
  return url.toString();
}

function certificatesOf(values: string[], fieldOf: (index: number) => string): string[] {
  const byFingerprint = new Map<string, string>();
  values.forEach((value, index) => {
    try {
      const parsed = parseCertificate(value);
      byFingerprint.set(parsed.fingerprintSha256, parsed.pem);
    } catch (error) {
      throw new BadUserInputError(`${fieldOf(index)}: a certificate ${(error as Error).message}`, fieldOf(index));
    }
  });
  return [...byFingerprint.values()];
}

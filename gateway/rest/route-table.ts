/**
 * The REST shim's routes: every endpoint of the seed documents, each mapped to one named
 * operation of schema/operations/rest/ (in the persisted-query manifest). One handler
 * (rest-handler.ts) interprets the table, and the OpenAPI document is generated from it.
 *
 * A request's values become the operation's variables by name: path parameters, the query
 * string and the JSON body, snake_case turned to camelCase (rest-values.ts). Values the
 * operation has no variable for go into the route's `rest` variable (an input object, or a
 * list of one for `restAsList`). An absent `organizationId` is the token's organization.
 */
export type RestMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RestRoute {
  method: RestMethod;
  /** OpenAPI style: `/api/v1/rbac/users/{id}/permissions`. */
  path: string;
  /** The seed's words for it. */
  summary: string;
  /** The manifest operation it runs. */
  operation: string;
  /** The status of a success (default 200). */
  status?: 200 | 201;
  /** Request names (camelCase) the operation calls otherwise: `{ planName: 'planCode' }`. */
  renames?: Record<string, string>;
  /** The variable that takes every value no other variable names. */
  rest?: string;
  /** The `rest` variable is a list: the request's values are its one element. */
  restAsList?: boolean;
  /** Request names accepted and not used, with the reason the OpenAPI document gives. */
  ignored?: Record<string, string>;
  /** The answer: the root field's value (default), or the first element of a list it answers. */
  answer?: 'field' | 'first';
  /** An administrator's route: Kong lets it through only from the admin networks (deploy/kong). */
  admin?: true;
}

/** The seed's SSO names: one certificate (`saml_certificate`), the OIDC client secret. */
const SSO_RENAMES = { samlCertificate: 'samlCertificates', oidcClientSecret: 'clientSecret' };

export const REST_ROUTES: readonly RestRoute[] = [
  // SSO configuration
  {
    method: 'POST',
    path: '/api/v1/sso/configs',
    summary: 'Create SSO config',
    operation: 'RestCreateSsoConfig',
    status: 201,
    rest: 'input',
    renames: SSO_RENAMES,
    admin: true,
  },
  { method: 'GET', path: '/api/v1/sso/configs', summary: 'List SSO configs', operation: 'RestSsoConfigs', admin: true },
  { method: 'GET', path: '/api/v1/sso/configs/{id}', summary: 'Get SSO config', operation: 'RestSsoConfig', admin: true },
  {
    method: 'PUT',
    path: '/api/v1/sso/configs/{id}',
    summary: 'Update SSO config',
    operation: 'RestUpdateSsoConfig',
    rest: 'input',
    renames: SSO_RENAMES,
    ignored: { organizationId: 'A configuration stays in its organization.', providerType: 'The provider type is fixed once created.' },
    admin: true,
  },
  { method: 'DELETE', path: '/api/v1/sso/configs/{id}', summary: 'Delete SSO config', operation: 'RestDeleteSsoConfig', admin: true },

  // RBAC
  {
    method: 'POST',
    path: '/api/v1/rbac/roles',
    summary: 'Create role',
    operation: 'RestCreateRole',
    status: 201,
    rest: 'input',
    admin: true,
  },
  { method: 'GET', path: '/api/v1/rbac/roles', summary: 'List roles', operation: 'RestRoles' },
  {
    method: 'POST',
    path: '/api/v1/rbac/assignments',
    summary: 'Assign role to user',
    operation: 'RestAssignRole',
    status: 201,
    rest: 'input',
    admin: true,
  },
  {
    method: 'GET',
    path: '/api/v1/rbac/users/{id}/permissions',
    summary: 'Get user permissions',
    operation: 'RestUserPermissions',
    renames: { id: 'userId' },
  },
  { method: 'POST', path: '/api/v1/rbac/permissions/check', summary: 'Check permission', operation: 'RestCheckPermission' },

  // Audit
  {
    method: 'POST',
    path: '/api/v1/audit/logs',
    summary: 'Create audit log',
    operation: 'RestRecordAuditLog',
    status: 201,
    rest: 'events',
    restAsList: true,
    answer: 'first',
  },
  { method: 'GET', path: '/api/v1/audit/logs', summary: 'Get audit logs (filtered)', operation: 'RestAuditLogs', rest: 'filter' },
  {
    method: 'GET',
    path: '/api/v1/audit/logs/export',
    summary: 'Export logs',
    operation: 'RestExportAuditLogs',
    rest: 'filter',
    admin: true,
  },
  { method: 'GET', path: '/api/v1/audit/logs/stats', summary: 'Get statistics', operation: 'RestAuditStats', rest: 'filter' },
  { method: 'GET', path: '/api/v1/audit/logs/{id}', summary: 'Get specific log', operation: 'RestAuditLog' },

  // Billing
  {
    method: 'POST',
    path: '/api/v1/billing/subscriptions',
    summary: 'Create subscription',
    operation: 'RestCreateSubscription',
    status: 201,
    rest: 'input',
    renames: { planName: 'planCode', planInterval: 'interval' },
    ignored: { stripeCustomerId: "The Stripe customer is the organization's own, created by billing." },
    admin: true,
  },
  { method: 'GET', path: '/api/v1/billing/subscriptions/{id}', summary: 'Get subscription', operation: 'RestSubscription' },
  {
    method: 'PUT',
    path: '/api/v1/billing/subscriptions/{id}',
    summary: 'Update subscription',
    operation: 'RestChangeSubscriptionPlan',
    renames: { planName: 'planCode' },
    admin: true,
  },
  {
    method: 'POST',
    path: '/api/v1/billing/subscriptions/{id}/cancel',
    summary: 'Cancel subscription',
    operation: 'RestCancelSubscription',
    admin: true,
  },
  { method: 'GET', path: '/api/v1/billing/invoices', summary: 'List invoices', operation: 'RestInvoices' },
  { method: 'POST', path: '/api/v1/billing/usage', summary: 'Record usage', operation: 'RestRecordUsage', status: 201, rest: 'input' },
  { method: 'GET', path: '/api/v1/billing/usage/summary', summary: 'Usage summary', operation: 'RestUsageSummary' },

  // Compliance
  {
    method: 'POST',
    path: '/api/v1/compliance/data-export',
    summary: 'Request data export (GDPR)',
    operation: 'RestRequestDataExport',
    status: 201,
    renames: { exportFormat: 'format', complianceStandard: 'regulation' },
  },
  {
    method: 'POST',
    path: '/api/v1/compliance/data-deletion',
    summary: 'Request data deletion (GDPR)',
    operation: 'RestRequestDataDeletion',
    status: 201,
    renames: { deletionScope: 'categories' },
  },
  { method: 'GET', path: '/api/v1/compliance/requests', summary: 'List requests', operation: 'RestComplianceRequests' },
  {
    method: 'POST',
    path: '/api/v1/compliance/retention-policies',
    summary: 'Create retention policy',
    operation: 'RestSetRetentionPolicy',
    status: 201,
    admin: true,
  },
  { method: 'GET', path: '/api/v1/compliance/report', summary: 'Compliance report', operation: 'RestComplianceReport' },

  // Analytics
  {
    method: 'GET',
    path: '/api/v1/analytics/organizations/{id}',
    summary: 'Organization analytics',
    operation: 'RestOrganizationAnalytics',
    renames: { id: 'organizationId' },
  },
  { method: 'GET', path: '/api/v1/analytics/call-quality', summary: 'Call quality metrics', operation: 'RestCallQuality' },
  { method: 'GET', path: '/api/v1/analytics/ai-usage', summary: 'AI usage analytics', operation: 'RestAiUsage' },
  { method: 'GET', path: '/api/v1/analytics/cost-insights', summary: 'Cost optimization', operation: 'RestCostInsights' },
  {
    method: 'POST',
    path: '/api/v1/analytics/reports',
    summary: 'Create custom report',
    operation: 'RestCreateReport',
    status: 201,
    rest: 'input',
  },
  { method: 'GET', path: '/api/v1/analytics/realtime', summary: 'Real-time metrics', operation: 'RestLiveMetrics' },
];

/** Where the generated, committed schema files live, relative to the repository root. */
export const SUPERGRAPH_PATH = 'schema/supergraph.graphql';
export const API_SCHEMA_PATH = 'schema/api.graphql';
/** The named operations of schema/operations/, in Apollo's persisted-query manifest format. */
export const OPERATION_MANIFEST_PATH = 'schema/operation-manifest.json';
/** The REST shim's OpenAPI document, generated from its route table and the manifest. */
export const OPENAPI_PATH = 'schema/openapi.json';

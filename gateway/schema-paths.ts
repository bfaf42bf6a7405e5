/** Where the generated, committed schema files live, relative to the repository root. */
export const SUPERGRAPH_PATH = 'schema/supergraph.graphql';
export const API_SCHEMA_PATH = 'schema/api.graphql';
/** The REST shim's OpenAPI document, generated from its route table and the manifest. */
export const OPENAPI_PATH = 'schema/openapi.json';

/** envscale's version, as its servers report it (MCP serverInfo, OpenEnv metadata). */
export const SERVER_VERSION = '0.1.0';

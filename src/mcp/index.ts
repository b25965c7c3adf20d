export type { McpServerOptions } from './mcp-server.js';
export { createMcpServer } from './mcp-server.js';

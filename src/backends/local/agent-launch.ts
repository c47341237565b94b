// How the local backend starts its agent so that it can load ssh2 wherever the orchestrator runs:
// from the bundles (dist/cli.js, or dist/extension.js with cli.js beside it) through the CLI's hidden
// `__local-agent` subcommand, and from the TypeScript sources (tests, `tsx`) through agent-entry.ts.

import * as path from 'node:path';

/** The hidden CLI subcommand that runs the agent: `node dist/cli.js __local-agent <dir> <logFile>`. */
export const LOCAL_AGENT_COMMAND = '__local-agent';

/** The executable, arguments and env additions that start the agent for `dir`. */
export function agentCommand(dir: string, logFile: string): { command: string; args: string[]; env: Record<string, string> } {
  // VS Code's extension host is Electron: run its binary as plain Node.
  const env: Record<string, string> = process.versions['electron'] !== undefined ? { ELECTRON_RUN_AS_NODE: '1' } : {};
  if (__filename.endsWith('.ts')) {
    const tsx = require.resolve('tsx/cjs');
    return { command: process.execPath, args: ['--require', tsx, path.join(__dirname, 'agent-entry.ts'), dir, logFile], env };
  }
  // Bundled: this code is inside dist/cli.js or dist/extension.js; the CLI bundle sits beside both.
  return { command: process.execPath, args: [path.join(__dirname, 'cli.js'), LOCAL_AGENT_COMMAND, dir, logFile], env };
}

// Every command the extension registers, with its palette title; a test keeps this list and package.json's
// `contributes.commands` equal (ids, titles and order).

/** Command ids and titles, in the order package.json lists them. */
export const COMMANDS = [
  { id: 'dstack.apply', title: 'dstack: Apply', icon: '$(rocket)' },
  { id: 'dstack.stop', title: 'dstack: Stop', icon: '$(debug-stop)' },
  { id: 'dstack.abort', title: 'dstack: Abort', icon: '$(close)' },
  { id: 'dstack.attach', title: 'dstack: Attach', icon: '$(plug)' },
  { id: 'dstack.showOffers', title: 'dstack: Show Offers', icon: '$(list-unordered)' },
  { id: 'dstack.showLogs', title: 'dstack: Show Logs', icon: '$(output)' },
  { id: 'dstack.refresh', title: 'dstack: Refresh', icon: '$(refresh)' },
  { id: 'dstack.sshDoctor', title: 'dstack: SSH Doctor', icon: '$(pulse)' },
  { id: 'dstack.openInVsCode', title: 'dstack: Open in VS Code', icon: '$(remote)' },
  { id: 'dstack.copySshCommand', title: 'dstack: Copy SSH Command', icon: '$(copy)' },
  { id: 'dstack.extend', title: 'dstack: Extend Inactivity Timeout', icon: '$(history)' },
  { id: 'dstack.runActions', title: 'dstack: Run Actions', icon: '$(server-environment)' },
  { id: 'dstack.terminateInstance', title: 'dstack: Terminate Instance', icon: '$(trash)' },
  { id: 'dstack.setAwsCredentials', title: 'dstack: Set AWS Credentials', icon: '$(key)' },
] as const;

/** One of the extension's command ids. */
export type CommandId = (typeof COMMANDS)[number]['id'];

/** Command ids, in the order package.json lists them. */
export const COMMAND_IDS: readonly CommandId[] = COMMANDS.map((c) => c.id);

// Run as a separate process by own-config.test.ts: adds entries to our config and the Include to the
// user's config at the same time as its siblings, to prove the lock keeps every write.
import { ensureInclude } from '../../../../src/backends/ssh/config/user-config';
import { SshConfigStore } from '../../../../src/backends/ssh/config/own-config';
import { sshPaths } from '../../../../src/backends/ssh/config/paths';

async function main(): Promise<void> {
  const [state, userConfig, prefix] = process.argv.slice(2) as [string, string, string];
  const paths = sshPaths(state);
  const store = new SshConfigStore(paths);
  for (let i = 0; i < 5; i++) {
    await store.upsert(`${prefix}-${i}`, [{ alias: `${prefix}-${i}`, hostName: '127.0.0.1', port: 2000 + i, user: 'root' }]);
    await ensureInclude(userConfig, paths.config, paths.lock);
  }
}
void main();

// cloud-init user data that installs the run's SSH key for the image's default user (no EC2 key pair is created).

import { BackendError } from '../backend';

/** The `#cloud-config` document authorizing `sshPublicKey`, base64-encoded as RunInstances wants it. */
export function cloudInitUserData(sshPublicKey: string): string {
  const key = sshPublicKey.trim();
  if (!/^(ssh-|ecdsa-|sk-)\S+ \S+( [^\r\n]*)?$/.test(key)) {
    throw new BackendError('invalid', 'The run\'s SSH public key is not one OpenSSH line (`ssh-ed25519 AAAA... comment`); regenerate the run key.');
  }
  const doc = `#cloud-config\nssh_authorized_keys:\n  - ${JSON.stringify(key)}\n`;
  return Buffer.from(doc, 'utf8').toString('base64');
}

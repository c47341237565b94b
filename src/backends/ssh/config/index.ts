// SSH config management: our own config file, the Include block in the user's config, and the doctor.

export { stateDir, sshPaths, userSshConfigPath, STATE_DIR_ENV, type SshPaths } from './paths';
export { SshConfigStore } from './own-config';
export { ensureInclude, removeInclude, BLOCK_BEGIN, BLOCK_END, SshUserConfigError, type IncludeChange } from './user-config';
export { renderHostBlock, SshConfigValueError, type SshHostBlock } from './host-entry';
export { sshDoctor, sshG, type DoctorReport, type DoctorStatus } from './doctor';
export { writeFileAtomic } from './atomic-write';
export { withFileLock } from './file-lock';

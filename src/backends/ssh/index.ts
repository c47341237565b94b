// The shared SSH path of every VM-like backend: connections, host keys, code upload, ssh config
// management, host probing and SSH fleets. Import from here.

export { connectSsh, SshConnection, SshConnectError, readIdentityFiles, hostKeyName, type SshTarget, type ConnectOptions, type SshConnectErrorCode } from './connect';
export { runCommand, buildCommand, type ExecOptions, type ExecResult } from './exec';
export { KnownHosts, HostKeyChangedError, fingerprint, keyType, type HostKeyVerdict } from './known-hosts';
export { ensureClientKey, generateKeyPair, publicKeyBlob, type SshKeyPair } from './keys';
export { shellQuote, exportPrefix } from './shell-quote';
export { uploadOverSsh, type UploadResult } from './upload-over-ssh';
export { forwardPorts, PortForwardError, type PortMapping, type PortForwards } from './port-forward';
export { SshAccess, type EnvironmentEndpoint } from './access';
export { probeHost, parseProbe, hostOffer, normalizeGpu, PROBE_SCRIPT, type HostFacts, type ContainerRuntime } from './probe';
export { fleetHosts, fleetHostKeyAlias, FleetConfigError, type FleetHost } from './fleet-hosts';
export { HostAgent, type HostJob, type HostAgentState, type HostAgentStatus } from './agent/host-agent';
export { SshHostsBackend, sshHostsLogFile, type SshHostsBackendOptions } from './ssh-hosts-backend';
export * as upload from './upload/index';
export * as sshConfig from './config/index';

// Nested object and enum types of the field table (transcribed from dstack HEAD 511c318c; maintained by hand).
import * as g from './grammar-types';
import { bool, enumOf, field, int, list, nullable, num, obj, str, union } from './types';

/** ACMGatewayCertificate. */
export const ACMGatewayCertificate = obj("ACMGatewayCertificate", () => ({
  type: field(enumOf(["acm"]), "Certificates by AWS Certificate Manager (ACM)", { default: "acm" }),
  arn: field(str(), "The ARN of the wildcard ACM certificate for the domain", { required: true }),
}));

/** AcceleratorVendor values. */
export const AcceleratorVendor = enumOf(["nvidia", "amd", "google", "intel", "tenstorrent"], "AcceleratorVendor");

/** BackendType values. */
export const BackendType = enumOf(["amddevcloud", "aws", "azure", "cloudrift", "crusoe", "cudo", "datacrunch", "digitalocean", "dstack", "gcp", "hotaisle", "jarvislabs", "kubernetes", "lambda", "remote", "nebius", "oci", "runpod", "tensordock", "vastai", "verda", "vultr", "slurm"], "BackendType");

/** CPUArchitecture values. */
export const CPUArchitecture = enumOf(["x86", "arm"], "CPUArchitecture");

/** CreationPolicy values. */
export const CreationPolicy = enumOf(["reuse", "reuse-or-create"], "CreationPolicy");

/** HTTPHeaderSpec. */
export const HTTPHeaderSpec = obj("HTTPHeaderSpec", () => ({
  name: field(str({"minLength": 1, "maxLength": 256}), "The name of the HTTP header", { required: true }),
  value: field(str({"minLength": 1, "maxLength": 2048}), "The value of the HTTP header", { required: true }),
}));

/** HeaderPartitioningKey. */
export const HeaderPartitioningKey = obj("HeaderPartitioningKey", () => ({
  type: field(enumOf(["header"]), "Partitioning type", { default: "header" }),
  header: field(str({"pattern": "^[a-zA-Z0-9-_]+$", "maxLength": 500}), "Name of the header to use for partitioning", { required: true }),
}));

/** IPAddressPartitioningKey. */
export const IPAddressPartitioningKey = obj("IPAddressPartitioningKey", () => ({
  type: field(enumOf(["ip_address"]), "Partitioning type", { default: "ip_address" }),
}));

/** InstanceGroupPlacement values. */
export const InstanceGroupPlacement = enumOf(["any", "cluster"], "InstanceGroupPlacement");

/** LetsEncryptGatewayCertificate. */
export const LetsEncryptGatewayCertificate = obj("LetsEncryptGatewayCertificate", () => ({
  type: field(enumOf(["lets-encrypt"]), "Automatic certificates by Let's Encrypt", { default: "lets-encrypt" }),
}));

/** NodeGroup. */
export const NodeGroup = obj("NodeGroup", () => ({
  name: field(nullable(str()), "The name of the node group. If not provided, defaults to '0', '1', etc. based on position."),
  nodes: field(int({"minimum": 1}), "The number of nodes in this group", { default: 1 }),
  resources: field(g.resources, "The resources requirements for nodes in this group. Does not inherit top-level `resources` (same as replica groups)"),
  commands: field(list(str()), "The shell commands to run for nodes in this group"),
  ports: field(list(g.port), "Port numbers/mapping to expose for nodes in this group"),
}));

/** Mapping of the model for the OpenAI-compatible endpoint. */
export const OpenAIChatModel = obj("OpenAIChatModel", () => ({
  type: field(enumOf(["chat"]), "The type of the model", { default: "chat" }),
  name: field(str(), "The name of the model", { required: true }),
  format: field(enumOf(["openai"]), "The serving format. Must be set to `openai`", { required: true }),
  prefix: field(str(), "The `base_url` prefix (after hostname)", { default: "/v1" }),
}));

/** PresetModelBase. */
export const PresetModelBase = obj("PresetModelBase", () => ({
  base: field(str(), "The base model for which the agent may select a compatible variant", { required: true }),
}));

/** PresetModelRepo. */
export const PresetModelRepo = obj("PresetModelRepo", () => ({
  repo: field(str(), "The exact model repo or path to deploy", { required: true }),
  name: field(nullable(str()), "The client-facing model name. Defaults to `repo`"),
}));

/** PresetPromptFile. */
export const PresetPromptFile = obj("PresetPromptFile", () => ({
  path: field(str(), "The path to a prompt file, relative to the configuration file", { required: true }),
}));

/** ProbeConfig. */
export const ProbeConfig = obj("ProbeConfig", () => ({
  type: field(enumOf(["http"]), "The probe type. Must be `http`", { required: true }),
  url: field(nullable(str()), "The URL to request. Defaults to `/`"),
  method: field(nullable(enumOf(["get", "post", "put", "delete", "patch", "head"])), "The HTTP method to use for the probe (e.g., `get`, `post`, etc.). Defaults to `get`"),
  headers: field(list(HTTPHeaderSpec, {"maxItems": 16}), "A list of HTTP headers to include in the request"),
  body: field(nullable(str({"minLength": 1, "maxLength": 2048})), "The HTTP request body to send with the probe"),
  timeout: field(nullable(g.duration), "Maximum amount of time the HTTP request is allowed to take. Defaults to `10s`"),
  interval: field(nullable(g.duration), "Minimum amount of time between the end of one probe execution and the start of the next. Defaults to `15s`"),
  ready_after: field(nullable(int({"minimum": 1})), "The number of consecutive successful probe executions required for the replica to be considered ready. Used during rolling deployments. Defaults to `1`"),
  until_ready: field(nullable(bool), "If `true`, the probe will stop being executed as soon as it reaches the `ready_after` threshold of successful executions. Defaults to `false`"),
}));

/** RateLimit. */
export const RateLimit = obj("RateLimit", () => ({
  prefix: field(str({"pattern": "^/[^\\s\\\\{}]*$", "maxLength": 4094}), "URL path prefix to which this limit is applied. If an incoming request matches several prefixes, the longest prefix is applied", { default: "/" }),
  key: field(union("key", "one of: IPAddressPartitioningKey, HeaderPartitioningKey", [IPAddressPartitioningKey, HeaderPartitioningKey]), "The partitioning key. Each incoming request belongs to a partition and rate limits are applied per partition. Defaults to partitioning by client IP address"),
  rps: field(num({"minimum": 0.016666666666666666, "maximum": 153722867280912930}), "Max allowed number of requests per second. Requests are tracked at millisecond granularity. For example, `rps: 10` means at most 1 request per 100ms", { required: true }),
  burst: field(int({"minimum": 0, "maximum": 9223372036854775807}), "Max number of requests that can be passed to the service ahead of the rate limit", { default: 0 }),
}));

/** Credentials for pulling a private Docker image. */
export const RegistryAuth = obj("RegistryAuth", () => ({
  username: field(str(), "The username", { required: true }),
  password: field(str(), "The password or access token", { required: true }),
}));

/** ReplicaGroup. */
export const ReplicaGroup = obj("ReplicaGroup", () => ({
  name: field(nullable(str()), "The name of the replica group. If not provided, defaults to '0', '1', etc. based on position."),
  replicas: field(g.intRange, "The number of replicas. Can be a number (e.g. `2`) or a range (`0..4` or `1..8`). If it's a range, the `scaling` property is required"),
  count: field(g.intRange, "Legacy alias of `replicas` in the list form of service `replicas`"),
  scaling: field(nullable(ScalingSpec), "The auto-scaling rules. Required if `replicas` is set to a range"),
  resources: field(g.resources, "The resources requirements for replicas in this group"),
  spot_policy: field(nullable(SpotPolicy), "The policy for provisioning spot or on-demand instances for replicas in this group: `spot`, `on-demand`, `auto`"),
  reservation: field(nullable(str()), "The existing reservation to use for replicas in this group. Supports AWS Capacity Reservations, AWS Capacity Blocks, and GCP reservations"),
  commands: field(list(str()), "The shell commands to run for replicas in this group"),
  image: field(nullable(str()), "The name of the Docker image to run for replicas in this group. Mutually exclusive with group-level `docker` and `python`."),
  python: field(nullable(g.python), "The major version of Python for replicas in this group. Mutually exclusive with group-level `image` and `docker`."),
  nvcc: field(nullable(bool), "Use the image with NVIDIA CUDA Compiler (NVCC) included for replicas in this group. Mutually exclusive with group-level `docker`."),
  docker: field(nullable(bool), "Use the docker-in-docker image for this group (injects `start-dockerd` and runs privileged). Mutually exclusive with group-level `image`, `python`, and `nvcc`."),
  privileged: field(nullable(bool), "Run replicas in this group in privileged mode."),
  router: field(nullable(ReplicaGroupRouterConfig), "When set, replicas in this group run the in-service HTTP router (e.g. SGLang)."),
}), {
  normalize: (o, path, ctx) => {
    if (o['replicas'] === undefined && o['count'] === undefined) return ctx.error(path, 'missing-field', 'A replica group needs `replicas` (or its legacy alias `count`).', 'key');
    if (o['replicas'] !== undefined && o['count'] !== undefined) return ctx.error([...path, 'count'], 'conflict', '`count` is a legacy alias of `replicas`: set only one of them.', 'key');
    return o;
  },
});

/** ReplicaGroupRouterConfig. */
export const ReplicaGroupRouterConfig = obj("ReplicaGroupRouterConfig", () => ({
  type: field(enumOf(["sglang", "dynamo"]), "The router implementation for this replica group. `sglang` runs the SGLang router and dstack syncs worker URLs to it. `dynamo` runs the NVIDIA Dynamo frontend, which discovers workers itself via etcd/NATS.", { default: "sglang" }),
}));

/** RepoExistsAction values. */
export const RepoExistsAction = enumOf(["error", "skip"], "RepoExistsAction");

/** RetryEvent values. */
export const RetryEvent = enumOf(["no-capacity", "interruption", "error"], "RetryEvent");

/** SSHHostParams. */
export const SSHHostParams = obj("SSHHostParams", () => ({
  hostname: field(str(), "The IP address or domain to connect to", { required: true }),
  port: field(nullable(int()), "The SSH port to connect to for this host"),
  user: field(nullable(str()), "The user to log in with for this host"),
  identity_file: field(nullable(str()), "The private key to use for this host"),
  proxy_jump: field(nullable(SSHProxyParams), "The SSH proxy configuration for this host"),
  internal_ip: field(nullable(str()), "The internal IP of the host used for communication inside the cluster. If not specified, `dstack` will use the IP address from `network` or from the first found internal network."),
  ssh_key: field(nullable(SSHKey), ""),
  blocks: field(nullable(union("blocks", "one of: `auto`, integer", [enumOf(["auto"]), int({"minimum": 1})])), "The amount of blocks to split the instance into, a number or `auto`. `auto` means as many as possible. The number of GPUs and CPUs must be divisible by the number of blocks. Defaults to the top-level `blocks` value"),
}));

/** SSHKey. */
export const SSHKey = obj("SSHKey", () => ({
  public: field(str(), "Public", { required: true }),
  private: field(nullable(str()), "Private"),
}));

/** SSHParams. */
export const SSHParams = obj("SSHParams", () => ({
  user: field(nullable(str()), "The user to log in with on all hosts"),
  port: field(nullable(int()), "The SSH port to connect to"),
  identity_file: field(nullable(str()), "The private key to use for all hosts"),
  ssh_key: field(nullable(SSHKey), ""),
  proxy_jump: field(nullable(SSHProxyParams), "The SSH proxy configuration for all hosts"),
  hosts: field(list(union("host", "a hostname or IP, or a mapping with `hostname` and per-host overrides (`port`, `user`, `identity_file`, `proxy_jump`, `internal_ip`, `ssh_key`, `blocks`)", [SSHHostParams, g.sshHostname]), { minItems: 1, tooFew: '`hosts` needs at least one host.' }), "The per host connection parameters: a hostname or an object that overrides default ssh parameters; strings are normalized to `{hostname}`", { required: true, example: ["192.168.100.10", { hostname: "192.168.100.11", port: 2222, user: "ubuntu" }] }),
  network: field(nullable(str()), "The network address for cluster setup in the format `<ip>/<netmask>`. `dstack` will use IP addresses from this network for communication between hosts. If not specified, `dstack` will use IPs from the first found internal network."),
}));

/** SSHProxyParams. */
export const SSHProxyParams = obj("SSHProxyParams", () => ({
  hostname: field(str(), "The IP address or domain of proxy host", { required: true }),
  port: field(nullable(int()), "The SSH port of proxy host"),
  user: field(str(), "The user to log in with for proxy host", { required: true }),
  identity_file: field(str(), "The private key to use for proxy host", { required: true }),
  ssh_key: field(nullable(SSHKey), ""),
}));

/** ScalingSpec. */
export const ScalingSpec = obj("ScalingSpec", () => ({
  metric: field(enumOf(["rps"]), "The target metric to track. Currently, the only supported value is `rps` (meaning requests per second)", { required: true }),
  target: field(num({"exclusiveMinimum": 0}), "The target value of the metric. The number of replicas is calculated based on this number and automatically adjusts (scales up or down) as this metric changes", { required: true }),
  window: field(nullable(g.duration), "The time window used to calculate requests per second. Allowed values: `30s`, `60s`, `300s`. Defaults to `60s`"),
  scale_up_delay: field(g.duration, "The minimum time, in seconds, between a scaling event and the next scale-up decision. Used to prevent overly frequent scaling", { default: 300 }),
  scale_down_delay: field(g.duration, "The minimum time, in seconds, between a scaling event and the next scale-down decision. Used to prevent overly frequent scaling", { default: 600 }),
}));

/** SpotPolicy values. */
export const SpotPolicy = enumOf(["spot", "on-demand", "auto"], "SpotPolicy");

/** StartupOrder values. */
export const StartupOrder = enumOf(["any", "master-first", "workers-first"], "StartupOrder");

/** StopCriteria values. */
export const StopCriteria = enumOf(["all-done", "master-done"], "StopCriteria");

/** Mapping of the model for the OpenAI-compatible endpoint. */
export const TGIChatModel = obj("TGIChatModel", () => ({
  type: field(enumOf(["chat"]), "The type of the model", { default: "chat" }),
  name: field(str(), "The name of the model", { required: true }),
  format: field(enumOf(["tgi"]), "The serving format. Must be set to `tgi`", { required: true }),
  chat_template: field(nullable(str()), "The custom prompt template for the model. If not specified, the default prompt template from the HuggingFace Hub configuration will be used"),
  eos_token: field(nullable(str()), "The custom end of sentence token. If not specified, the default end of sentence token from the HuggingFace Hub configuration will be used"),
}));

/** VastAIOfferOrder values. */
export const VastAIOfferOrder = enumOf(["score", "price"], "VastAIOfferOrder");

/** VastAIProfileOptions. */
export const VastAIProfileOptions = obj("VastAIProfileOptions", () => ({
  type: field(enumOf(["vastai"]), "The configuration type", { default: "vastai" }),
  offer_order: field(nullable(VastAIOfferOrder), "Controls the order in which offers are considered for provisioning. Use `score` to prioritize the highest overall score first (the default order in the Vast.ai console), or `price` to prioritize the lowest-cost offers first. Lower-cost offers are often less reliable, so consider applying stricter filters when using `price`. Defaults to `score`"),
  min_reliability: field(nullable(num({"minimum": 0, "maximum": 1})), "The minimum reliability threshold for offers, on a scale from `0` to `1`. Defaults to `0.9`"),
  min_score: field(nullable(int({"minimum": 0})), "The minimum overall score required for offers to be considered. The scoring scale varies and may require experimentation. Starting with a value in the low hundreds is generally recommended"),
}));

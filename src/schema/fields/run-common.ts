// Fields shared by the run configurations (dev-environment, task, service) and profile parameters
// (also in presets), transcribed once from dstack HEAD 511c318c so every type reads the same source.
import { checkShell, checkUnixUser } from '../grammar/scalars';
import * as g from './grammar-types';
import * as s from './shared';
import { bool, field, int, list, nullable, num, str, type FieldTable } from './types';

/** The profile parameters (`ProfileParams`): where and how a run is provisioned and when it stops. */
export function profileFields(): FieldTable {
  return {
    backends: field(nullable(list(s.BackendType)), "The backends to consider for provisioning (e.g., `[aws, gcp]`)", { example: ["aws", "gcp"] }),
    regions: field(nullable(list(str())), "The regions to consider for provisioning (e.g., `[eu-west-1, us-west4, westeurope]`)", { example: ["eu-west-1"] }),
    availability_zones: field(nullable(list(str())), "The availability zones to consider for provisioning (e.g., `[eu-west-1a, us-west4-a]`)"),
    instance_types: field(nullable(list(str())), "The cloud-specific instance types to consider for provisioning (e.g., `[g6e.24xlarge, n1-standard-4]`)"),
    reservation: field(nullable(str()), "The existing reservation to use for instance provisioning. Supports AWS Capacity Reservations, AWS Capacity Blocks, and GCP reservations"),
    spot_policy: field(nullable(s.SpotPolicy), "The policy for provisioning spot or on-demand instances: `spot`, `on-demand`, `auto`. Defaults to `on-demand`", { example: "auto" }),
    retry: field(nullable(g.retry), "The policy for resubmitting the run. Defaults to `false`"),
    max_duration: field(nullable(g.offDuration), "The maximum duration of a run (e.g., `2h`, `1d`, etc) in a running state, excluding provisioning and pulling. After it elapses, the run is automatically stopped. Use `off` for unlimited duration. Defaults to `off`", { example: "8h" }),
    stop_duration: field(nullable(g.offDuration), "The maximum duration of a run graceful stopping. After it elapses, the run is automatically forced stopped. This includes force detaching volumes used by the run. Use `off` for unlimited duration. Defaults to `5m`", { example: "5m" }),
    max_price: field(nullable(num({"exclusiveMinimum": 0.0})), "The maximum instance price per hour, in dollars", { example: 2.5 }),
    creation_policy: field(nullable(s.CreationPolicy), "The policy for using instances from fleets: `reuse`, `reuse-or-create`. Defaults to `reuse-or-create`", { example: "reuse" }),
    idle_duration: field(nullable(g.idleDuration), "Time to wait before terminating idle instances. When the run reuses an existing fleet instance, the fleet's `idle_duration` applies. When the run provisions a new instance, the shorter of the fleet's and run's values is used. Defaults to `5m` for runs and `3d` for fleets. Use `off` for unlimited duration. Only applied for VM-based backends", { example: "1h" }),
    utilization_policy: field(nullable(g.utilizationPolicy), "Run termination policy based on utilization"),
    startup_order: field(nullable(s.StartupOrder), "The order in which master and workers jobs are started: `any`, `master-first`, `workers-first`. Defaults to `any`"),
    stop_criteria: field(nullable(s.StopCriteria), "The criteria determining when a multi-node run should be considered finished: `all-done`, `master-done`. Defaults to `all-done`"),
    schedule: field(nullable(g.schedule), "The schedule for starting the run at specified time"),
    fleets: field(nullable(list(g.entityRef)), "The fleets considered for reuse. For fleets owned by the current project, specify fleet names. For imported fleets, specify `<project name>/<fleet name>`", { example: ["my-fleet"] }),
    instances: field(nullable(list(g.instanceSelector, { minItems: 1 })), "The specific fleet instances to consider for reuse. Each value can be an instance name string, or an object with `name`, `hostname`, or `fleet` and `instance`. When set, the run is only placed on matching existing instances."),
    tags: field(nullable(g.tags), "The custom tags to associate with the resource. The tags are also propagated to the underlying backend resources. If there is a conflict with backend-level tags, does not override them", { example: {"team": "ml"} }),
    backend_options: field(nullable(list(s.VastAIProfileOptions)), "Backend-specific options, applied only to offers from that backend"),
  };
}

/** The base run configuration (`BaseRunConfiguration`); dev environments update `resources` and `files` in place. */
export function baseRunFields(options: { updatableInPlace: boolean }): FieldTable {
  const updatable = options.updatableInPlace ? { updatable: true } : {};
  return {
    name: field(nullable(str()), "The run name. If not specified, a random name is generated", { example: "my-dev-env" }),
    image: field(nullable(str()), "The name of the Docker image to run. If no `image` is specified, `dstack` uses an Ubuntu 24.04-based Docker image that comes pre-configured with `uv`, `python`, `pip`, the CUDA 13.0 runtime, InfiniBand, NCCL, and NCCL tests. It may also include provider-specific components such as EFA support on AWS. For non-Nvidia accelerators or NVidia GPUs unsupported by CUDA 13.0 (e.g. V100, P100), specify a custom Docker image.", { example: "dstackai/base:py3.12-0.7-cuda-12.1" }),
    user: field(nullable(str({ check: checkUnixUser })), "The user inside the container, `user_name_or_id[:group_name_or_id]` (e.g., `ubuntu`, `1000:1000`). Defaults to the default user from the `image`", { example: "ubuntu" }),
    privileged: field(bool, "Run the container in privileged mode", { default: false, example: true }),
    entrypoint: field(nullable(str()), "The Docker entrypoint"),
    working_dir: field(nullable(str()), "The absolute path to the working directory inside the container. Defaults to the `image`'s default working directory", { example: "/workflow" }),
    home_dir: field(str(), "Deprecated: the home directory inside the container", { default: "/root", deprecated: "it has no effect in current dstack versions" }),
    registry_auth: field(nullable(s.RegistryAuth), "Credentials for pulling a private Docker image"),
    python: field(nullable(g.python), "The major version of Python. Mutually exclusive with `image` and `docker`", { example: "3.12" }),
    nvcc: field(nullable(bool), "Use image with NVIDIA CUDA Compiler (NVCC) included. Mutually exclusive with `image` and `docker`", { example: true }),
    single_branch: field(nullable(bool), "Whether to clone and track only the current branch or all remote branches. Relevant only when using remote Git repos. Defaults to `false` for dev environments and to `true` for tasks and services"),
    env: field(g.env, "The mapping or the list of environment variables", { example: ["HF_TOKEN", "WANDB_PROJECT=demo"] }),
    shell: field(nullable(str({ check: checkShell })), "The shell used to run commands. Allowed values are `sh`, `bash`, or an absolute path, e.g., `/usr/bin/zsh`. Defaults to `/bin/sh` if the `image` is specified, `/bin/bash` otherwise", { example: "bash" }),
    resources: field(g.resources, "The resources requirements to run the configuration", { ...updatable }),
    priority: field(nullable(int({"minimum": 0, "maximum": 100})), "The priority of the run, an integer between `0` and `100`. `dstack` tries to provision runs with higher priority first. Defaults to `0`", { example: 50, ...updatable }),
    volumes: field(list(g.volumeMount), "The volumes mount points", { example: ["my-vol:/data"] }),
    docker: field(nullable(bool), "Use Docker inside the container. Mutually exclusive with `image`, `python`, and `nvcc`. Overrides `privileged`", { example: true }),
    repos: field(list(g.repo), "The list of Git repos", { example: ["."] }),
    files: field(list(g.fileMapping), "The local to container file path mappings", { example: [".:examples"], ...updatable }),
    dstack: field(bool, "Make the dstack server accessible inside the run. No authentication credentials are provided", { default: false }),
    setup: field(list(str()), "Setup", { deprecated: "use `init` (dev environments) or `commands` (tasks, services) instead" }),
  };
}

// Field table of `type: fleet` (transcribed from dstack HEAD 511c318c; this file is the source of truth now).
import * as g from './grammar-types';
import * as s from './shared';
import { enumOf, field, int, list, nullable, num, obj, str, union, type ValueType } from './types';

/** The `fleet` configuration type. */
export const FleetConfiguration: ValueType = obj("FleetConfiguration", () => ({
  type: field(enumOf(["fleet"]), "The configuration type", { default: "fleet" }),
  name: field(nullable(str()), "The fleet name", { example: "my-dev-env" }),
  placement: field(nullable(s.InstanceGroupPlacement), "The placement of instances: `any` or `cluster`"),
  blocks: field(union("blocks", "one of: `auto`, integer", [enumOf(["auto"]), int({"minimum": 1})]), "The amount of blocks to split the instance into, a number or `auto`. `auto` means as many as possible. The number of GPUs and CPUs must be divisible by the number of blocks. Defaults to `1`, i.e. do not split", { default: 1 }),
  nodes: field(nullable(g.fleetNodes), "The number of instances: `N`, a range `min..max` (the fleet starts with `min`), or `{min, target, max}`", { example: 2 }),
  reservation: field(nullable(str()), "The existing reservation to use for instance provisioning. Supports AWS Capacity Reservations, AWS Capacity Blocks, and GCP reservations"),
  resources: field(nullable(g.resources), "The resources requirements"),
  backends: field(nullable(list(s.BackendType)), "The backends to consider for provisioning (e.g., `[aws, gcp]`)", { example: ["aws", "gcp"] }),
  regions: field(nullable(list(str())), "The regions to consider for provisioning (e.g., `[eu-west-1, us-west4, westeurope]`)", { example: ["eu-west-1"] }),
  availability_zones: field(nullable(list(str())), "The availability zones to consider for provisioning (e.g., `[eu-west-1a, us-west4-a]`)"),
  instance_types: field(nullable(list(str())), "The cloud-specific instance types to consider for provisioning (e.g., `[g6e.24xlarge, n1-standard-4]`)"),
  spot_policy: field(nullable(s.SpotPolicy), "The policy for provisioning spot or on-demand instances: `spot`, `on-demand`, `auto`. Defaults to `on-demand`", { example: "auto" }),
  retry: field(nullable(g.retry), "The policy for provisioning retry. Defaults to `false`"),
  max_price: field(nullable(num({"exclusiveMinimum": 0.0})), "The maximum instance price per hour, in dollars", { example: 2.5 }),
  idle_duration: field(nullable(g.idleDuration), "Time to wait before terminating idle instances. Only instances above `nodes.min` are terminated, so a fleet with a fixed `nodes: N` keeps its instances. Defaults to `5m` for runs and `3d` for fleets. Use `off` for unlimited duration", { example: "1h" }),
  tags: field(nullable(g.tags), "The custom tags to associate with the resource. The tags are also propagated to the underlying backend resources. If there is a conflict with backend-level tags, does not override them", { example: {"team": "ml"} }),
  backend_options: field(nullable(list(s.VastAIProfileOptions)), "Backend-specific options, applied only to offers from that backend"),
  ssh_config: field(nullable(s.SSHParams), "The parameters for adding instances via SSH"),
  env: field(g.env, "The mapping or the list of environment variables", { example: ["HF_TOKEN", "WANDB_PROJECT=demo"] }),
}));

// Field table of `type: service` (transcribed from dstack HEAD 511c318c; this file is the source of truth now).
import * as g from './grammar-types';
import { baseRunFields, profileFields } from './run-common';
import * as s from './shared';
import { bool, enumOf, field, list, nullable, obj, str, union, type ValueType } from './types';

/** The `service` configuration type. */
export const ServiceConfiguration: ValueType = obj("ServiceConfiguration", () => ({
  port: field(g.port, "The port the application listens on", { example: 8000, required: true }),
  gateway: field(nullable(union("gateway", "one of: boolean, EntityReference, string", [bool, g.entityRef, str()])), "The name of the gateway. Specify boolean `false` to run without a gateway. Specify boolean `true` to run with the default gateway. Omit to run with the default gateway if there is one, or without a gateway otherwise"),
  strip_prefix: field(bool, "Strip the `/proxy/services/<project name>/<run name>/` path prefix when forwarding requests to the service. Only takes effect when running the service without a gateway", { default: true }),
  model: field(nullable(union("model", "one of: value, string", [union("value", "one of: s.TGIChatModel, OpenAIChatModel", [s.TGIChatModel, s.OpenAIChatModel]), str()])), "Mapping of the model for the OpenAI-compatible endpoint provided by `dstack`. Can be a full model format definition or just a model name. If it's a name, the service is expected to expose an OpenAI-compatible API at the `/v1` path"),
  https: field(nullable(union("https", "one of: boolean, `auto`", [bool, enumOf(["auto"])])), "Enable HTTPS if running with a gateway. Set to `auto` to determine automatically based on gateway configuration. Defaults to `true`"),
  auth: field(bool, "Enable the authorization", { default: true }),
  scaling: field(nullable(s.ScalingSpec), "The auto-scaling rules. Required if `replicas` is set to a range"),
  rate_limits: field(list(s.RateLimit), "Rate limiting rules"),
  probes: field(nullable(list(s.ProbeConfig)), "The list of probes to determine service health. If `model` is set, defaults to a `/v1/chat/completions` probe. Set explicitly to override"),
  replicas: field(nullable(union('replicas', 'a number or range of replicas (`1..4`) or a list of replica groups', [g.intRange, list(s.ReplicaGroup)])), "The number of replicas for a homogeneous service. Can be an integer (e.g. `2`) or a range (e.g. `0..4`). Mutually exclusive with `groups`."),
  groups: field(nullable(list(s.ReplicaGroup)), "A list of replica groups for heterogeneous services. Mutually exclusive with `replicas`. When `groups` is set, top-level `scaling` and `commands` are not allowed."),
  commands: field(list(str()), "The shell commands to run", { example: ["python train.py"] }),
  type: field(enumOf(["service"]), "The configuration type", { default: "service" }),
  ...baseRunFields({ updatableInPlace: false }),
  ...profileFields(),
}));

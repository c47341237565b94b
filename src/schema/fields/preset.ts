// Field table of `type: preset` (transcribed from dstack HEAD 511c318c; this file is the source of truth now).
import * as g from './grammar-types';
import { profileFields } from './run-common';
import * as s from './shared';
import { bool, enumOf, field, int, list, nullable, obj, str, union, type ValueType } from './types';

/** The `preset` configuration type. */
export const PresetConfiguration: ValueType = obj("PresetConfiguration", () => ({
  ...profileFields(),
  type: field(enumOf(["preset"]), "The configuration type", { default: "preset" }),
  name: field(nullable(str()), "The preset name", { example: "my-dev-env" }),
  model: field(union("model", "one of: s.PresetModelRepo, s.PresetModelBase, string", [s.PresetModelRepo, s.PresetModelBase, str()]), "The model to serve. Use a string or `repo` for an exact repo/path, or `base` to allow compatible model variants. Prefer the top-level `base`/`repo` shorthand unless a custom client-facing model name is needed"),
  base: field(nullable(str()), "The base model repo; compatible variants are allowed. Shorthand for `model.base`"),
  repo: field(nullable(str()), "The exact model repo/path to serve. Shorthand for `model.repo`"),
  prompt: field(nullable(union("prompt", "one of: string, PresetPromptFile", [str(), s.PresetPromptFile])), "Additional instructions for the preset creation agent, inline or as a file `path`"),
  min_context_length: field(nullable(int({"exclusiveMinimum": 0})), "The minimum required context length. Required for creation"),
  max_ttft: field(nullable(int({"exclusiveMinimum": 0})), "The maximum p50 time to first token, in milliseconds, that any benchmark may report. Required for creation"),
  trials: field(nullable(int({"exclusiveMinimum": 0})), "The number of benchmarked trials during preset creation before the best one is promoted. Required for creation"),
  previous: field(nullable(list(str())), "The IDs of previous presets whose creation results the agent analyzes and improves on"),
  concurrency: field(nullable(int({"exclusiveMinimum": 0})), "The number of simultaneous requests used for benchmarks during preset creation. Required for creation"),
  input_tokens: field(nullable(int({"exclusiveMinimum": 0})), "The number of input tokens per request used for benchmarks during preset creation. Defaults to `1024`"),
  output_tokens: field(nullable(int({"minimum": 2})), "The number of output tokens per request used for benchmarks during preset creation. Defaults to `1024`"),
  shared_prefix_tokens: field(nullable(int({"minimum": 0})), "How many of `input_tokens` are a prefix identical in every benchmark request, as a repeated system prompt or conversation history would be. Defaults to `0`, meaning every request is fully unique"),
  dataset: field(nullable(str()), "The benchmark dataset used during preset creation: `random` for synthetic prompts shaped by `input_tokens` and `output_tokens`, a benchmark tool's dataset name (e.g. `sharegpt`, `spec_bench`), or a Hugging Face dataset ID. Defaults to `random`"),
  baseline: field(nullable(bool), "Whether the first trial must be a baseline that serves the model with the serving framework's recommended defaults instead of an optimization attempt. Defaults to `true`"),
  gateway: field(nullable(union("gateway", "one of: boolean, EntityReference, string", [bool, g.entityRef, str()])), "The name of the gateway. Specify boolean `false` to run without a gateway. Specify boolean `true` to run with the default gateway. Omit to run with the default gateway if there is one, or without a gateway otherwise"),
  env: field(g.env, "The mapping or the list of environment variables", { example: ["HF_TOKEN", "WANDB_PROJECT=demo"] }),
}));

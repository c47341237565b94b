// Field table of `type: task` (transcribed from dstack HEAD 511c318c; this file is the source of truth now).
import * as g from './grammar-types';
import { baseRunFields, profileFields } from './run-common';
import * as s from './shared';
import { enumOf, field, int, list, nullable, obj, str, type ValueType } from './types';

/** The `task` configuration type. */
export const TaskConfiguration: ValueType = obj("TaskConfiguration", () => ({
  nodes: field(nullable(int({"minimum": 1})), "The number of nodes for homogeneous multi-node tasks", { example: 2 }),
  groups: field(nullable(list(s.NodeGroup)), "A list of node groups for heterogeneous multi-node tasks. Mutually exclusive with `nodes`. When `groups` is set, top-level `commands`, `ports`, and `entrypoint` are not allowed; specify `commands` and `ports` in each node group instead. Top-level `resources` is not rejected (same as replica groups; see server defaults), but each group's `resources` is used for provisioning \u2014 omit means default empty resources, not inheritance from the top level."),
  ports: field(list(g.port), "Port numbers/mapping to expose", { example: [8080] }),
  commands: field(list(str()), "The shell commands to run", { example: ["python train.py"] }),
  type: field(enumOf(["task"]), "The configuration type", { default: "task" }),
  ...baseRunFields({ updatableInPlace: false }),
  ...profileFields(),
}));

// Field table of `type: dev-environment` (transcribed from dstack HEAD 511c318c; this file is the source of truth now).
import * as g from './grammar-types';
import { baseRunFields, profileFields } from './run-common';
import { enumOf, field, list, nullable, obj, str, type ValueType } from './types';

/** The `dev-environment` configuration type. */
export const DevEnvironmentConfiguration: ValueType = obj("DevEnvironmentConfiguration", () => ({
  ide: field(nullable(enumOf(["vscode", "cursor", "windsurf", "zed"])), "The IDE to pre-install. Supported values include `vscode`, `cursor`, `windsurf`, and `zed`. Defaults to no IDE (SSH only)", { example: "vscode" }),
  version: field(nullable(str()), "The version of the IDE. For `windsurf`, the version is in the format `version@commit`"),
  init: field(list(str()), "The shell commands to run on startup", { example: ["pip install -r requirements.txt"] }),
  inactivity_duration: field(nullable(g.inactivityDuration), "The maximum amount of time the dev environment can be inactive (e.g., `2h`, `1d`, etc). After it elapses, the dev environment is automatically stopped. Inactivity is defined as the absence of SSH connections to the dev environment, including VS Code connections, `ssh <run name>` shells, and attached `dstack apply` or `dstack attach` commands. Use `off` for unlimited duration. Can be updated in-place. Defaults to `off`", { example: "2h", updatable: true }),
  ports: field(list(g.port), "Port numbers/mapping to expose", { example: [8080] }),
  type: field(enumOf(["dev-environment"]), "The configuration type", { default: "dev-environment" }),
  ...baseRunFields({ updatableInPlace: true }),
  ...profileFields(),
}));

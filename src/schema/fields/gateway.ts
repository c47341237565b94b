// Field table of `type: gateway` (transcribed from dstack HEAD 511c318c; this file is the source of truth now).
import * as g from './grammar-types';
import * as s from './shared';
import { bool, enumOf, field, int, nullable, obj, str, union, type ValueType } from './types';

/** The `gateway` configuration type. */
export const GatewayConfiguration: ValueType = obj("GatewayConfiguration", () => ({
  type: field(enumOf(["gateway"]), "The configuration type", { default: "gateway" }),
  name: field(nullable(str()), "The gateway name", { example: "my-dev-env" }),
  default: field(nullable(bool), "Whether the gateway is the project's default. Can be updated in-place. If unset when creating a new gateway, the gateway will become the default unless there is already a default gateway. If unset when updating the gateway in-place, the gateway's default status will not change"),
  backend: field(s.BackendType, "The gateway backend", { example: "aws", required: true }),
  region: field(str(), "The gateway region", { example: "eu-west-1", required: true }),
  instance_type: field(nullable(str({"minLength": 1})), "Backend-specific instance type to use for the gateway instance. Omit to use the backend's default, which is typically a small non-GPU instance"),
  domain: field(nullable(str()), "The gateway wildcard domain name, e.g. `example.com`. Service domain names are constructed as `<run name>.<gateway domain`. The domain name can use the `${{ run.project_name }}` variable to include the service\u2019s project name. Can be updated in-place. Updates do not affect existing services"),
  public_ip: field(bool, "Allocate public IP for the gateway", { default: true }),
  certificate: field(nullable(union("certificate", "one of: s.LetsEncryptGatewayCertificate, ACMGatewayCertificate", [s.LetsEncryptGatewayCertificate, s.ACMGatewayCertificate])), "The SSL certificate configuration. Set to `null` to disable. Defaults to `type: lets-encrypt`"),
  replicas: field(nullable(int({"minimum": 1})), "The number of gateway replicas. Defaults to `1`"),
  tags: field(nullable(g.tags), "The custom tags to associate with the gateway. The tags are also propagated to the underlying backend resources. If there is a conflict with backend-level tags, does not override them", { example: {"team": "ml"} }),
}));

// Field tables of `type: volume`, one per backend (transcribed from dstack HEAD 511c318c; source of truth now).
import * as g from './grammar-types';
import { bool, enumOf, field, list, nullable, obj, str, type ValueType } from './types';

/** The fields of a cloud volume (`aws`, `gcp`, `runpod`): the same shape with the backend's name. */
function cloudVolume(name: string, backend: string, availabilityZoneDoc: string): ValueType {
  return obj(name, () => ({
    type: field(enumOf(["volume"]), "The configuration type", { default: "volume" }),
    backend: field(enumOf([backend]), "The volume backend", { default: backend, required: true }),
    name: field(nullable(str()), "The volume name"),
    size: field(nullable(g.memory), "The volume size. Must be specified when creating new volumes"),
    auto_cleanup_duration: field(nullable(g.offDuration), "Time to wait after volume is no longer used by any job before deleting it. Defaults to keep the volume indefinitely. Use the value `off` or `-1` to disable auto-cleanup"),
    tags: field(nullable(g.tags), "The custom tags to associate with the volume. The tags are also propagated to the underlying backend resources. If there is a conflict with backend-level tags, does not override them"),
    volume_id: field(nullable(str()), "The volume ID. Must be specified when registering external volumes"),
    region: field(str(), "The volume region", { required: true }),
    availability_zone: field(nullable(str()), availabilityZoneDoc),
  }));
}

/** A `type: volume` for backend `aws`. */
export const AWSVolumeConfiguration: ValueType = cloudVolume("AWSVolumeConfiguration", "aws", "The volume availability zone");

/** A `type: volume` for backend `gcp`. */
export const GCPVolumeConfiguration: ValueType = cloudVolume("GCPVolumeConfiguration", "gcp", "The volume availability zone");

/** A `type: volume` for backend `runpod`. */
export const RunpodVolumeConfiguration: ValueType = cloudVolume("RunpodVolumeConfiguration", "runpod", "Availability Zone");

/** A `type: volume` for backend `kubernetes`. */
export const KubernetesVolumeConfiguration: ValueType = obj("KubernetesVolumeConfiguration", () => ({
  type: field(enumOf(["volume"]), "The configuration type", { default: "volume" }),
  backend: field(enumOf(["kubernetes"]), "The volume backend", { default: "kubernetes", required: true }),
  name: field(nullable(str()), "The volume name"),
  size: field(nullable(g.memory), "The requested volume size. Must be specified when creating new PVCs. Ignored if `claim_name` is set"),
  auto_cleanup_duration: field(nullable(g.offDuration), "Time to wait after volume is no longer used by any job before deleting it. Defaults to keep the volume indefinitely. Use the value `off` or `-1` to disable auto-cleanup"),
  tags: field(nullable(g.tags), "The custom tags to associate with the volume. The tags are also propagated to the underlying backend resources. If there is a conflict with backend-level tags, does not override them"),
  region: field(str(), "The volume region (cluster)", { default: "" }),
  claim_name: field(nullable(str()), "The `PersistentVolumeClaim` name. Must be specified when registering the existing PVC instead of creating a new one"),
  storage_class_name: field(nullable(str()), "The `StorageClass` name. Ignored if `claim_name` is set"),
  access_modes: field(list(str()), "A list of accepted access modes. Ignored if `claim_name` is set", { default: ["ReadWriteOnce"] }),
  read_only: field(bool, "If `true`, enforces the volume to be mounted as read-only", { default: false }),
}));


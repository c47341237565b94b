// The constraints an offer is checked against, as a closed union with a human label for each.

/** One requirement an offer can fail; the names follow the configuration fields they come from. */
export type OfferConstraint =
  | 'backend'
  | 'region'
  | 'instance_type'
  | 'spot'
  | 'max_price'
  | 'cpu_arch'
  | 'cpu_count'
  | 'memory'
  | 'gpu_vendor'
  | 'gpu_count'
  | 'gpu_name'
  | 'compute_capability'
  | 'gpu_memory'
  | 'gpu_total_memory'
  | 'disk';

/** Every constraint, in the order gpuhunt's `matches` checks them (backend filters last, as dstack applies them). */
export const OFFER_CONSTRAINTS: readonly OfferConstraint[] = [
  'max_price', 'spot', 'cpu_arch', 'cpu_count', 'memory', 'gpu_vendor', 'gpu_count', 'gpu_name', 'compute_capability',
  'gpu_memory', 'gpu_total_memory', 'disk', 'backend', 'region', 'instance_type',
];

/** The configuration field that sets each constraint, for messages. */
export const CONSTRAINT_FIELD: Readonly<Record<OfferConstraint, string>> = {
  backend: 'backends',
  region: 'regions',
  instance_type: 'instance_types',
  spot: 'spot_policy',
  max_price: 'max_price',
  cpu_arch: 'resources.cpu (arch)',
  cpu_count: 'resources.cpu',
  memory: 'resources.memory',
  gpu_vendor: 'resources.gpu (vendor)',
  gpu_count: 'resources.gpu (count)',
  gpu_name: 'resources.gpu (name)',
  compute_capability: 'resources.gpu.compute_capability',
  gpu_memory: 'resources.gpu (memory)',
  gpu_total_memory: 'resources.gpu.total_memory',
  disk: 'resources.disk',
};

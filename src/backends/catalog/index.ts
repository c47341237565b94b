// The offline offer catalog (AWS facts and list prices, known accelerators) and its loader.
export { AWS_CATALOG_DATE, AWS_CATALOG_SOURCE, AWS_INSTANCES, type CatalogInstanceFacts, type CatalogGpuFacts } from './aws-data';
export { KNOWN_GPUS, findKnownGpu, computeCapabilityOf, type KnownGpu } from './gpus';
export {
  AWS_DISK_RANGE_GB, CatalogOffers, catalogOffers, catalogRegions, catalogGpus, catalogGpuNames,
  type CatalogOfferOptions, type CatalogGpu,
} from './catalog';

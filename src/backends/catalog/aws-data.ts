// The AWS part of the offline catalog: instance facts and on-demand list prices, as project data.
//
// Source: AWS public on-demand list prices (https://aws.amazon.com/ec2/pricing/on-demand/, Linux, shared tenancy,
// USD per hour) and instance specs (https://aws.amazon.com/ec2/instance-types/), as published on AWS_CATALOG_DATE
// (P4d/P5 after AWS's June 2025 price reduction). They were compiled by hand, not fetched at build or run time.
// us-west-2 lists the same prices as us-east-1 for these families. eu-west-1 prices are the us-east-1 price times
// the family's eu-west-1/us-east-1 ratio of its smallest size's list price (e.g. g4dn.xlarge 0.587/0.526), rounded to
// 4 decimals; families AWS did not list in eu-west-1 on that date (g6, g6e, p4d, p5) have no eu-west-1 entry.
// Spot prices are unknown here (they move hourly): the catalog yields on-demand offers only until the AWS backend
// refreshes spot prices live and passes them to `catalogOffers`.

/** GPUs of one instance type (all the same model). */
export interface CatalogGpuFacts {
  /** gpuhunt's short name (T4, A10G, L4, L40S, V100, A100, H100). */
  name: string;
  memoryGB: number;
  count: number;
}

/** One instance type: its shape and its on-demand price per region. */
export interface CatalogInstanceFacts {
  instanceType: string;
  cpus: number;
  memoryGB: number;
  gpu?: CatalogGpuFacts;
  /** USD per hour, on-demand, by region. */
  onDemandUsd: Readonly<Record<string, number>>;
}

/** The date the prices and specs were taken from AWS's public pages. */
export const AWS_CATALOG_DATE = '2025-08-01';

/** Where the facts come from, for display next to offers (`offer --json`, the UI). */
export const AWS_CATALOG_SOURCE = 'aws.amazon.com/ec2/pricing/on-demand (Linux, shared tenancy) and aws.amazon.com/ec2/instance-types';

/** Every instance type in the AWS catalog; all x86_64 (every family listed is Intel or AMD based). */
export const AWS_INSTANCES: readonly CatalogInstanceFacts[] = [
  { instanceType: 'g4dn.xlarge', cpus: 4, memoryGB: 16, gpu: { name: 'T4', memoryGB: 16, count: 1 }, onDemandUsd: { 'us-east-1': 0.526, 'us-west-2': 0.526, 'eu-west-1': 0.587 } },
  { instanceType: 'g4dn.2xlarge', cpus: 8, memoryGB: 32, gpu: { name: 'T4', memoryGB: 16, count: 1 }, onDemandUsd: { 'us-east-1': 0.752, 'us-west-2': 0.752, 'eu-west-1': 0.8392 } },
  { instanceType: 'g4dn.4xlarge', cpus: 16, memoryGB: 64, gpu: { name: 'T4', memoryGB: 16, count: 1 }, onDemandUsd: { 'us-east-1': 1.204, 'us-west-2': 1.204, 'eu-west-1': 1.3436 } },
  { instanceType: 'g4dn.8xlarge', cpus: 32, memoryGB: 128, gpu: { name: 'T4', memoryGB: 16, count: 1 }, onDemandUsd: { 'us-east-1': 2.176, 'us-west-2': 2.176, 'eu-west-1': 2.4283 } },
  { instanceType: 'g4dn.12xlarge', cpus: 48, memoryGB: 192, gpu: { name: 'T4', memoryGB: 16, count: 4 }, onDemandUsd: { 'us-east-1': 3.912, 'us-west-2': 3.912, 'eu-west-1': 4.3657 } },
  { instanceType: 'g4dn.16xlarge', cpus: 64, memoryGB: 256, gpu: { name: 'T4', memoryGB: 16, count: 1 }, onDemandUsd: { 'us-east-1': 4.352, 'us-west-2': 4.352, 'eu-west-1': 4.8567 } },
  { instanceType: 'g4dn.metal', cpus: 96, memoryGB: 384, gpu: { name: 'T4', memoryGB: 16, count: 8 }, onDemandUsd: { 'us-east-1': 7.824, 'us-west-2': 7.824, 'eu-west-1': 8.7313 } },
  { instanceType: 'g5.xlarge', cpus: 4, memoryGB: 16, gpu: { name: 'A10G', memoryGB: 24, count: 1 }, onDemandUsd: { 'us-east-1': 1.006, 'us-west-2': 1.006, 'eu-west-1': 1.123 } },
  { instanceType: 'g5.2xlarge', cpus: 8, memoryGB: 32, gpu: { name: 'A10G', memoryGB: 24, count: 1 }, onDemandUsd: { 'us-east-1': 1.212, 'us-west-2': 1.212, 'eu-west-1': 1.353 } },
  { instanceType: 'g5.4xlarge', cpus: 16, memoryGB: 64, gpu: { name: 'A10G', memoryGB: 24, count: 1 }, onDemandUsd: { 'us-east-1': 1.624, 'us-west-2': 1.624, 'eu-west-1': 1.8129 } },
  { instanceType: 'g5.8xlarge', cpus: 32, memoryGB: 128, gpu: { name: 'A10G', memoryGB: 24, count: 1 }, onDemandUsd: { 'us-east-1': 2.448, 'us-west-2': 2.448, 'eu-west-1': 2.7327 } },
  { instanceType: 'g5.12xlarge', cpus: 48, memoryGB: 192, gpu: { name: 'A10G', memoryGB: 24, count: 4 }, onDemandUsd: { 'us-east-1': 5.672, 'us-west-2': 5.672, 'eu-west-1': 6.3317 } },
  { instanceType: 'g5.16xlarge', cpus: 64, memoryGB: 256, gpu: { name: 'A10G', memoryGB: 24, count: 1 }, onDemandUsd: { 'us-east-1': 4.096, 'us-west-2': 4.096, 'eu-west-1': 4.5724 } },
  { instanceType: 'g5.24xlarge', cpus: 96, memoryGB: 384, gpu: { name: 'A10G', memoryGB: 24, count: 4 }, onDemandUsd: { 'us-east-1': 8.144, 'us-west-2': 8.144, 'eu-west-1': 9.0912 } },
  { instanceType: 'g5.48xlarge', cpus: 192, memoryGB: 768, gpu: { name: 'A10G', memoryGB: 24, count: 8 }, onDemandUsd: { 'us-east-1': 16.288, 'us-west-2': 16.288, 'eu-west-1': 18.1823 } },
  { instanceType: 'g6.xlarge', cpus: 4, memoryGB: 16, gpu: { name: 'L4', memoryGB: 24, count: 1 }, onDemandUsd: { 'us-east-1': 0.8048, 'us-west-2': 0.8048 } },
  { instanceType: 'g6.2xlarge', cpus: 8, memoryGB: 32, gpu: { name: 'L4', memoryGB: 24, count: 1 }, onDemandUsd: { 'us-east-1': 0.9776, 'us-west-2': 0.9776 } },
  { instanceType: 'g6.4xlarge', cpus: 16, memoryGB: 64, gpu: { name: 'L4', memoryGB: 24, count: 1 }, onDemandUsd: { 'us-east-1': 1.3232, 'us-west-2': 1.3232 } },
  { instanceType: 'g6.8xlarge', cpus: 32, memoryGB: 128, gpu: { name: 'L4', memoryGB: 24, count: 1 }, onDemandUsd: { 'us-east-1': 2.0144, 'us-west-2': 2.0144 } },
  { instanceType: 'g6.12xlarge', cpus: 48, memoryGB: 192, gpu: { name: 'L4', memoryGB: 24, count: 4 }, onDemandUsd: { 'us-east-1': 4.6016, 'us-west-2': 4.6016 } },
  { instanceType: 'g6.16xlarge', cpus: 64, memoryGB: 256, gpu: { name: 'L4', memoryGB: 24, count: 1 }, onDemandUsd: { 'us-east-1': 3.3968, 'us-west-2': 3.3968 } },
  { instanceType: 'g6.24xlarge', cpus: 96, memoryGB: 384, gpu: { name: 'L4', memoryGB: 24, count: 4 }, onDemandUsd: { 'us-east-1': 6.6752, 'us-west-2': 6.6752 } },
  { instanceType: 'g6.48xlarge', cpus: 192, memoryGB: 768, gpu: { name: 'L4', memoryGB: 24, count: 8 }, onDemandUsd: { 'us-east-1': 13.3504, 'us-west-2': 13.3504 } },
  { instanceType: 'g6e.xlarge', cpus: 4, memoryGB: 32, gpu: { name: 'L40S', memoryGB: 48, count: 1 }, onDemandUsd: { 'us-east-1': 1.861, 'us-west-2': 1.861 } },
  { instanceType: 'g6e.2xlarge', cpus: 8, memoryGB: 64, gpu: { name: 'L40S', memoryGB: 48, count: 1 }, onDemandUsd: { 'us-east-1': 2.24208, 'us-west-2': 2.24208 } },
  { instanceType: 'g6e.4xlarge', cpus: 16, memoryGB: 128, gpu: { name: 'L40S', memoryGB: 48, count: 1 }, onDemandUsd: { 'us-east-1': 3.00424, 'us-west-2': 3.00424 } },
  { instanceType: 'g6e.8xlarge', cpus: 32, memoryGB: 256, gpu: { name: 'L40S', memoryGB: 48, count: 1 }, onDemandUsd: { 'us-east-1': 4.52856, 'us-west-2': 4.52856 } },
  { instanceType: 'g6e.12xlarge', cpus: 48, memoryGB: 384, gpu: { name: 'L40S', memoryGB: 48, count: 4 }, onDemandUsd: { 'us-east-1': 10.4926, 'us-west-2': 10.4926 } },
  { instanceType: 'g6e.16xlarge', cpus: 64, memoryGB: 512, gpu: { name: 'L40S', memoryGB: 48, count: 1 }, onDemandUsd: { 'us-east-1': 7.57719, 'us-west-2': 7.57719 } },
  { instanceType: 'g6e.24xlarge', cpus: 96, memoryGB: 768, gpu: { name: 'L40S', memoryGB: 48, count: 4 }, onDemandUsd: { 'us-east-1': 15.0656, 'us-west-2': 15.0656 } },
  { instanceType: 'g6e.48xlarge', cpus: 192, memoryGB: 1536, gpu: { name: 'L40S', memoryGB: 48, count: 8 }, onDemandUsd: { 'us-east-1': 30.1312, 'us-west-2': 30.1312 } },
  { instanceType: 'p3.2xlarge', cpus: 8, memoryGB: 61, gpu: { name: 'V100', memoryGB: 16, count: 1 }, onDemandUsd: { 'us-east-1': 3.06, 'us-west-2': 3.06, 'eu-west-1': 3.305 } },
  { instanceType: 'p3.8xlarge', cpus: 32, memoryGB: 244, gpu: { name: 'V100', memoryGB: 16, count: 4 }, onDemandUsd: { 'us-east-1': 12.24, 'us-west-2': 12.24, 'eu-west-1': 13.22 } },
  { instanceType: 'p3.16xlarge', cpus: 64, memoryGB: 488, gpu: { name: 'V100', memoryGB: 16, count: 8 }, onDemandUsd: { 'us-east-1': 24.48, 'us-west-2': 24.48, 'eu-west-1': 26.44 } },
  { instanceType: 'p4d.24xlarge', cpus: 96, memoryGB: 1152, gpu: { name: 'A100', memoryGB: 40, count: 8 }, onDemandUsd: { 'us-east-1': 21.96, 'us-west-2': 21.96 } },
  { instanceType: 'p5.48xlarge', cpus: 192, memoryGB: 2048, gpu: { name: 'H100', memoryGB: 80, count: 8 }, onDemandUsd: { 'us-east-1': 55.04, 'us-west-2': 55.04 } },
  { instanceType: 'm5.large', cpus: 2, memoryGB: 8, onDemandUsd: { 'us-east-1': 0.096, 'us-west-2': 0.096, 'eu-west-1': 0.107 } },
  { instanceType: 'm5.xlarge', cpus: 4, memoryGB: 16, onDemandUsd: { 'us-east-1': 0.192, 'us-west-2': 0.192, 'eu-west-1': 0.214 } },
  { instanceType: 'm5.2xlarge', cpus: 8, memoryGB: 32, onDemandUsd: { 'us-east-1': 0.384, 'us-west-2': 0.384, 'eu-west-1': 0.428 } },
  { instanceType: 'm5.4xlarge', cpus: 16, memoryGB: 64, onDemandUsd: { 'us-east-1': 0.768, 'us-west-2': 0.768, 'eu-west-1': 0.856 } },
  { instanceType: 'm5.8xlarge', cpus: 32, memoryGB: 128, onDemandUsd: { 'us-east-1': 1.536, 'us-west-2': 1.536, 'eu-west-1': 1.712 } },
  { instanceType: 'm5.12xlarge', cpus: 48, memoryGB: 192, onDemandUsd: { 'us-east-1': 2.304, 'us-west-2': 2.304, 'eu-west-1': 2.568 } },
  { instanceType: 'm5.16xlarge', cpus: 64, memoryGB: 256, onDemandUsd: { 'us-east-1': 3.072, 'us-west-2': 3.072, 'eu-west-1': 3.424 } },
  { instanceType: 'm5.24xlarge', cpus: 96, memoryGB: 384, onDemandUsd: { 'us-east-1': 4.608, 'us-west-2': 4.608, 'eu-west-1': 5.136 } },
  { instanceType: 'm6i.large', cpus: 2, memoryGB: 8, onDemandUsd: { 'us-east-1': 0.096, 'us-west-2': 0.096, 'eu-west-1': 0.107 } },
  { instanceType: 'm6i.xlarge', cpus: 4, memoryGB: 16, onDemandUsd: { 'us-east-1': 0.192, 'us-west-2': 0.192, 'eu-west-1': 0.214 } },
  { instanceType: 'm6i.2xlarge', cpus: 8, memoryGB: 32, onDemandUsd: { 'us-east-1': 0.384, 'us-west-2': 0.384, 'eu-west-1': 0.428 } },
  { instanceType: 'm6i.4xlarge', cpus: 16, memoryGB: 64, onDemandUsd: { 'us-east-1': 0.768, 'us-west-2': 0.768, 'eu-west-1': 0.856 } },
  { instanceType: 'm6i.8xlarge', cpus: 32, memoryGB: 128, onDemandUsd: { 'us-east-1': 1.536, 'us-west-2': 1.536, 'eu-west-1': 1.712 } },
  { instanceType: 'm6i.12xlarge', cpus: 48, memoryGB: 192, onDemandUsd: { 'us-east-1': 2.304, 'us-west-2': 2.304, 'eu-west-1': 2.568 } },
  { instanceType: 'm6i.16xlarge', cpus: 64, memoryGB: 256, onDemandUsd: { 'us-east-1': 3.072, 'us-west-2': 3.072, 'eu-west-1': 3.424 } },
  { instanceType: 'm6i.24xlarge', cpus: 96, memoryGB: 384, onDemandUsd: { 'us-east-1': 4.608, 'us-west-2': 4.608, 'eu-west-1': 5.136 } },
  { instanceType: 'm6i.32xlarge', cpus: 128, memoryGB: 512, onDemandUsd: { 'us-east-1': 6.144, 'us-west-2': 6.144, 'eu-west-1': 6.848 } },
  { instanceType: 'm7i.large', cpus: 2, memoryGB: 8, onDemandUsd: { 'us-east-1': 0.1008, 'us-west-2': 0.1008, 'eu-west-1': 0.1124 } },
  { instanceType: 'm7i.xlarge', cpus: 4, memoryGB: 16, onDemandUsd: { 'us-east-1': 0.2016, 'us-west-2': 0.2016, 'eu-west-1': 0.2248 } },
  { instanceType: 'm7i.2xlarge', cpus: 8, memoryGB: 32, onDemandUsd: { 'us-east-1': 0.4032, 'us-west-2': 0.4032, 'eu-west-1': 0.4496 } },
  { instanceType: 'm7i.4xlarge', cpus: 16, memoryGB: 64, onDemandUsd: { 'us-east-1': 0.8064, 'us-west-2': 0.8064, 'eu-west-1': 0.8992 } },
  { instanceType: 'm7i.8xlarge', cpus: 32, memoryGB: 128, onDemandUsd: { 'us-east-1': 1.6128, 'us-west-2': 1.6128, 'eu-west-1': 1.7984 } },
  { instanceType: 'm7i.12xlarge', cpus: 48, memoryGB: 192, onDemandUsd: { 'us-east-1': 2.4192, 'us-west-2': 2.4192, 'eu-west-1': 2.6976 } },
  { instanceType: 'm7i.16xlarge', cpus: 64, memoryGB: 256, onDemandUsd: { 'us-east-1': 3.2256, 'us-west-2': 3.2256, 'eu-west-1': 3.5968 } },
  { instanceType: 'm7i.24xlarge', cpus: 96, memoryGB: 384, onDemandUsd: { 'us-east-1': 4.8384, 'us-west-2': 4.8384, 'eu-west-1': 5.3952 } },
  { instanceType: 'm7i.48xlarge', cpus: 192, memoryGB: 768, onDemandUsd: { 'us-east-1': 9.6768, 'us-west-2': 9.6768, 'eu-west-1': 10.7904 } },
  { instanceType: 'c5.large', cpus: 2, memoryGB: 4, onDemandUsd: { 'us-east-1': 0.085, 'us-west-2': 0.085, 'eu-west-1': 0.096 } },
  { instanceType: 'c5.xlarge', cpus: 4, memoryGB: 8, onDemandUsd: { 'us-east-1': 0.17, 'us-west-2': 0.17, 'eu-west-1': 0.192 } },
  { instanceType: 'c5.2xlarge', cpus: 8, memoryGB: 16, onDemandUsd: { 'us-east-1': 0.34, 'us-west-2': 0.34, 'eu-west-1': 0.384 } },
  { instanceType: 'c5.4xlarge', cpus: 16, memoryGB: 32, onDemandUsd: { 'us-east-1': 0.68, 'us-west-2': 0.68, 'eu-west-1': 0.768 } },
  { instanceType: 'c5.9xlarge', cpus: 36, memoryGB: 72, onDemandUsd: { 'us-east-1': 1.53, 'us-west-2': 1.53, 'eu-west-1': 1.728 } },
  { instanceType: 'c5.12xlarge', cpus: 48, memoryGB: 96, onDemandUsd: { 'us-east-1': 2.04, 'us-west-2': 2.04, 'eu-west-1': 2.304 } },
  { instanceType: 'c5.18xlarge', cpus: 72, memoryGB: 144, onDemandUsd: { 'us-east-1': 3.06, 'us-west-2': 3.06, 'eu-west-1': 3.456 } },
  { instanceType: 'c5.24xlarge', cpus: 96, memoryGB: 192, onDemandUsd: { 'us-east-1': 4.08, 'us-west-2': 4.08, 'eu-west-1': 4.608 } },
  { instanceType: 'c6i.large', cpus: 2, memoryGB: 4, onDemandUsd: { 'us-east-1': 0.085, 'us-west-2': 0.085, 'eu-west-1': 0.096 } },
  { instanceType: 'c6i.xlarge', cpus: 4, memoryGB: 8, onDemandUsd: { 'us-east-1': 0.17, 'us-west-2': 0.17, 'eu-west-1': 0.192 } },
  { instanceType: 'c6i.2xlarge', cpus: 8, memoryGB: 16, onDemandUsd: { 'us-east-1': 0.34, 'us-west-2': 0.34, 'eu-west-1': 0.384 } },
  { instanceType: 'c6i.4xlarge', cpus: 16, memoryGB: 32, onDemandUsd: { 'us-east-1': 0.68, 'us-west-2': 0.68, 'eu-west-1': 0.768 } },
  { instanceType: 'c6i.8xlarge', cpus: 32, memoryGB: 64, onDemandUsd: { 'us-east-1': 1.36, 'us-west-2': 1.36, 'eu-west-1': 1.536 } },
  { instanceType: 'c6i.12xlarge', cpus: 48, memoryGB: 96, onDemandUsd: { 'us-east-1': 2.04, 'us-west-2': 2.04, 'eu-west-1': 2.304 } },
  { instanceType: 'c6i.16xlarge', cpus: 64, memoryGB: 128, onDemandUsd: { 'us-east-1': 2.72, 'us-west-2': 2.72, 'eu-west-1': 3.072 } },
  { instanceType: 'c6i.24xlarge', cpus: 96, memoryGB: 192, onDemandUsd: { 'us-east-1': 4.08, 'us-west-2': 4.08, 'eu-west-1': 4.608 } },
  { instanceType: 'c6i.32xlarge', cpus: 128, memoryGB: 256, onDemandUsd: { 'us-east-1': 5.44, 'us-west-2': 5.44, 'eu-west-1': 6.144 } },
  { instanceType: 'c7i.large', cpus: 2, memoryGB: 4, onDemandUsd: { 'us-east-1': 0.08925, 'us-west-2': 0.08925, 'eu-west-1': 0.1008 } },
  { instanceType: 'c7i.xlarge', cpus: 4, memoryGB: 8, onDemandUsd: { 'us-east-1': 0.1785, 'us-west-2': 0.1785, 'eu-west-1': 0.2016 } },
  { instanceType: 'c7i.2xlarge', cpus: 8, memoryGB: 16, onDemandUsd: { 'us-east-1': 0.357, 'us-west-2': 0.357, 'eu-west-1': 0.4032 } },
  { instanceType: 'c7i.4xlarge', cpus: 16, memoryGB: 32, onDemandUsd: { 'us-east-1': 0.714, 'us-west-2': 0.714, 'eu-west-1': 0.8064 } },
  { instanceType: 'c7i.8xlarge', cpus: 32, memoryGB: 64, onDemandUsd: { 'us-east-1': 1.428, 'us-west-2': 1.428, 'eu-west-1': 1.6128 } },
  { instanceType: 'c7i.12xlarge', cpus: 48, memoryGB: 96, onDemandUsd: { 'us-east-1': 2.142, 'us-west-2': 2.142, 'eu-west-1': 2.4192 } },
  { instanceType: 'c7i.16xlarge', cpus: 64, memoryGB: 128, onDemandUsd: { 'us-east-1': 2.856, 'us-west-2': 2.856, 'eu-west-1': 3.2256 } },
  { instanceType: 'c7i.24xlarge', cpus: 96, memoryGB: 192, onDemandUsd: { 'us-east-1': 4.284, 'us-west-2': 4.284, 'eu-west-1': 4.8384 } },
  { instanceType: 'c7i.48xlarge', cpus: 192, memoryGB: 384, onDemandUsd: { 'us-east-1': 8.568, 'us-west-2': 8.568, 'eu-west-1': 9.6768 } },
  { instanceType: 'r5.large', cpus: 2, memoryGB: 16, onDemandUsd: { 'us-east-1': 0.126, 'us-west-2': 0.126, 'eu-west-1': 0.141 } },
  { instanceType: 'r5.xlarge', cpus: 4, memoryGB: 32, onDemandUsd: { 'us-east-1': 0.252, 'us-west-2': 0.252, 'eu-west-1': 0.282 } },
  { instanceType: 'r5.2xlarge', cpus: 8, memoryGB: 64, onDemandUsd: { 'us-east-1': 0.504, 'us-west-2': 0.504, 'eu-west-1': 0.564 } },
  { instanceType: 'r5.4xlarge', cpus: 16, memoryGB: 128, onDemandUsd: { 'us-east-1': 1.008, 'us-west-2': 1.008, 'eu-west-1': 1.128 } },
  { instanceType: 'r5.8xlarge', cpus: 32, memoryGB: 256, onDemandUsd: { 'us-east-1': 2.016, 'us-west-2': 2.016, 'eu-west-1': 2.256 } },
  { instanceType: 'r5.12xlarge', cpus: 48, memoryGB: 384, onDemandUsd: { 'us-east-1': 3.024, 'us-west-2': 3.024, 'eu-west-1': 3.384 } },
  { instanceType: 'r5.16xlarge', cpus: 64, memoryGB: 512, onDemandUsd: { 'us-east-1': 4.032, 'us-west-2': 4.032, 'eu-west-1': 4.512 } },
  { instanceType: 'r5.24xlarge', cpus: 96, memoryGB: 768, onDemandUsd: { 'us-east-1': 6.048, 'us-west-2': 6.048, 'eu-west-1': 6.768 } },
  { instanceType: 'r6i.large', cpus: 2, memoryGB: 16, onDemandUsd: { 'us-east-1': 0.126, 'us-west-2': 0.126, 'eu-west-1': 0.141 } },
  { instanceType: 'r6i.xlarge', cpus: 4, memoryGB: 32, onDemandUsd: { 'us-east-1': 0.252, 'us-west-2': 0.252, 'eu-west-1': 0.282 } },
  { instanceType: 'r6i.2xlarge', cpus: 8, memoryGB: 64, onDemandUsd: { 'us-east-1': 0.504, 'us-west-2': 0.504, 'eu-west-1': 0.564 } },
  { instanceType: 'r6i.4xlarge', cpus: 16, memoryGB: 128, onDemandUsd: { 'us-east-1': 1.008, 'us-west-2': 1.008, 'eu-west-1': 1.128 } },
  { instanceType: 'r6i.8xlarge', cpus: 32, memoryGB: 256, onDemandUsd: { 'us-east-1': 2.016, 'us-west-2': 2.016, 'eu-west-1': 2.256 } },
  { instanceType: 'r6i.12xlarge', cpus: 48, memoryGB: 384, onDemandUsd: { 'us-east-1': 3.024, 'us-west-2': 3.024, 'eu-west-1': 3.384 } },
  { instanceType: 'r6i.16xlarge', cpus: 64, memoryGB: 512, onDemandUsd: { 'us-east-1': 4.032, 'us-west-2': 4.032, 'eu-west-1': 4.512 } },
  { instanceType: 'r6i.24xlarge', cpus: 96, memoryGB: 768, onDemandUsd: { 'us-east-1': 6.048, 'us-west-2': 6.048, 'eu-west-1': 6.768 } },
  { instanceType: 'r6i.32xlarge', cpus: 128, memoryGB: 1024, onDemandUsd: { 'us-east-1': 8.064, 'us-west-2': 8.064, 'eu-west-1': 9.024 } },
  { instanceType: 't3.nano', cpus: 2, memoryGB: 0.5, onDemandUsd: { 'us-east-1': 0.0052, 'us-west-2': 0.0052, 'eu-west-1': 0.0057 } },
  { instanceType: 't3.micro', cpus: 2, memoryGB: 1, onDemandUsd: { 'us-east-1': 0.0104, 'us-west-2': 0.0104, 'eu-west-1': 0.0114 } },
  { instanceType: 't3.small', cpus: 2, memoryGB: 2, onDemandUsd: { 'us-east-1': 0.0208, 'us-west-2': 0.0208, 'eu-west-1': 0.0228 } },
  { instanceType: 't3.medium', cpus: 2, memoryGB: 4, onDemandUsd: { 'us-east-1': 0.0416, 'us-west-2': 0.0416, 'eu-west-1': 0.0456 } },
  { instanceType: 't3.large', cpus: 2, memoryGB: 8, onDemandUsd: { 'us-east-1': 0.0832, 'us-west-2': 0.0832, 'eu-west-1': 0.0912 } },
  { instanceType: 't3.xlarge', cpus: 4, memoryGB: 16, onDemandUsd: { 'us-east-1': 0.1664, 'us-west-2': 0.1664, 'eu-west-1': 0.1824 } },
  { instanceType: 't3.2xlarge', cpus: 8, memoryGB: 32, onDemandUsd: { 'us-east-1': 0.3328, 'us-west-2': 0.3328, 'eu-west-1': 0.3648 } },
];

// Finding the AMI for an offer by name and owner filters: AWS's deep-learning GPU AMI (NVIDIA driver + docker)
// for GPU offers, Canonical's current Ubuntu for CPU offers; the newest matching image wins.

import { DescribeImagesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { BackendError } from '../backend';

/** How one kind of image is looked up. */
export interface ImageQuery {
  owners: string[];
  namePattern: string;
}

/** AWS's Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04): NVIDIA drivers, CUDA, docker + nvidia-container-toolkit. */
export const GPU_IMAGE: ImageQuery = { owners: ['amazon'], namePattern: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) *' };
/** Canonical's Ubuntu 24.04 LTS server image (owner 099720109477). */
export const CPU_IMAGE: ImageQuery = { owners: ['099720109477'], namePattern: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-*' };

/** The AMI chosen for a launch. */
export interface ChosenImage {
  imageId: string;
  name: string;
  rootDeviceName: string;
}

/** The newest available x86_64 image matching `query` in the client's region. */
export async function findImage(client: EC2Client, query: ImageQuery, region: string): Promise<ChosenImage> {
  const out = await client.send(new DescribeImagesCommand({
    Owners: query.owners,
    Filters: [
      { Name: 'name', Values: [query.namePattern] },
      { Name: 'architecture', Values: ['x86_64'] },
      { Name: 'state', Values: ['available'] },
    ],
  }));
  const newest = [...(out.Images ?? [])].sort((a, b) => (b.CreationDate ?? '').localeCompare(a.CreationDate ?? ''))[0];
  if (!newest?.ImageId) {
    throw new BackendError('invalid', `AWS: no image named "${query.namePattern}" owned by ${query.owners.join(', ')} in ${region}; the region may not carry it.`);
  }
  return { imageId: newest.ImageId, name: newest.Name ?? '', rootDeviceName: newest.RootDeviceName ?? '/dev/sda1' };
}

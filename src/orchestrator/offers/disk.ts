// Disk sizing for backends that choose the disk at create time (dstack's `choose_disk_size_mib`).
import type { Range } from '../../schema/model';

/** dstack's DEFAULT_DISK size when the requirements have no disk: `100GB..`. */
export const DEFAULT_DISK_GB: Range = { min: 100, max: null };

/** The intersection of two ranges (`Range.intersect`), or null when it is empty. */
export function intersectRanges(a: Range, b: Range): Range | null {
  const min = a.min === null ? b.min : b.min === null ? a.min : Math.max(a.min, b.min);
  const max = a.max === null ? b.max : b.max === null ? a.max : Math.min(a.max, b.max);
  if (min !== null && max !== null && min > max) return null;
  return { min, max };
}

/**
 * The disk size (GB) a configurable-disk backend gives an offer: the smallest size in requested ∩ configurable
 * (requested defaults to 100GB..). Null when they do not intersect: the offer cannot satisfy the request.
 */
export function chooseDiskGB(requested: Range | null, configurable: Range): number | null {
  const range = intersectRanges(requested ?? DEFAULT_DISK_GB, configurable);
  if (range === null) return null;
  return range.min ?? 0;
}

// Offers: matching, ordering, the no-match explanation and GPU grouping (the public surface of this folder).
export { OFFER_CONSTRAINTS, CONSTRAINT_FIELD, type OfferConstraint } from './constraints';
export { DEFAULT_DISK_GB, chooseDiskGB, intersectRanges } from './disk';
export { compileRequirements, matchesRequirements, inRange, type OfferMatcher } from './match';
export { mergeByPrice, sortByPrice, orderOffers, unavailableLast, isAvailable } from './order';
export { backendOfferLists } from './backend-lists';
export { OfferListCache, type CachedOfferLists, type OfferListCacheOptions } from './offer-list-cache';
export { selectOffers, filterOffers, sizeForRequirements, type OfferSelection } from './select';
export { explainNoMatch, type NoMatchExplanation, type ConstraintImpact } from './explain';
export { groupGpus, type GpuGroup, type GpuGroupBy } from './group';
export * from './pretty';
export {
  offerRequirements, configurationRequirements, unconstrainedResources, backendIdOf, BACKEND_NAME_CHOICES,
} from './requirements';

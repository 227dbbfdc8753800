// statestore.cache.max.bytes as Kafka Streams means it: one budget for the record caches of every
// store of every task of an instance (Kafka's ThreadCache, one per stream thread; Brook runs one),
// not one per store. A store whose write takes the total over the budget evicts its own least
// recently written entries, as Kafka evicts from the cache being written, so memory stays bounded
// however many partitions an instance owns.

/** Kafka Streams' default statestore.cache.max.bytes. */
const DEFAULT_CACHE_MAX_BYTES = 10 * 1024 * 1024

export class CacheBudget {
  /** Bytes the caches sharing this budget hold now. */
  used = 0

  /** `maxBytes` undefined: Kafka's default. */
  constructor(readonly maxBytes: number = DEFAULT_CACHE_MAX_BYTES) {}
}

/** A budget of its own for a store given a size (tests, a store outside an instance). */
export function cacheBudget(budget: CacheBudget | number): CacheBudget {
  return typeof budget === 'number' ? new CacheBudget(budget) : budget
}

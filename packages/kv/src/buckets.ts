/**
 * A persistent map from strings to plain values, as plain data. Up to
 * `MOST_KEPT_FLAT` keys it is one record (`entries`); beyond that the keys
 * spread over a fixed number of buckets by a hash of the key, each bucket a
 * record (`buckets`). Changing one key of a large map copies its bucket and
 * the index of buckets, a few dozen entries however large the map, where
 * copying a record of a thousand keys costs hundreds of microseconds: what
 * a running cluster needs. A model checker's stores hold a handful of keys,
 * and there one record hashes and copies faster than an index of buckets.
 *
 * Canonical: which form a map takes depends on how many keys it holds, a
 * key's bucket on the key alone, and empty buckets are left out, so equal
 * maps are equal data, with equal fingerprints, however they were reached.
 *
 * Any string is a key, `__proto__` included: records are written only
 * through `setEntry` and copied by spread, never by assignment or
 * `Object.assign`, which for that one key would set the record's prototype
 * instead of storing it.
 */
export type Buckets<V> = FlatMap<V> | BucketedMap<V>

interface FlatMap<V> {
  readonly entries: Readonly<Record<string, V>>
}

interface BucketedMap<V> {
  readonly size: number
  readonly buckets: Readonly<Record<string, Readonly<Record<string, V>>>>
}

const MOST_KEPT_FLAT = 32
const BUCKETS = 64

/** FNV-1a over the key's UTF-16 code units, folded to a bucket number. */
const bucketOf = (key: string): string => {
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193)
  return String((hash >>> 0) % BUCKETS)
}

const isFlat = <V>(map: Buckets<V>): map is FlatMap<V> => "entries" in map

export const emptyBuckets: Buckets<never> = Object.freeze({ entries: Object.freeze({}) })

/**
 * `record[key] = value` as an own property whatever the key: assigning
 * `__proto__` would replace the record's prototype and store nothing.
 */
export const setEntry = <V>(record: Record<string, V>, key: string, value: V): void => {
  if (key === "__proto__") Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true })
  else record[key] = value
}

/** Every entry of `from` set on `to`, as own properties (see `setEntry`). */
const copyEntries = <V>(to: Record<string, V>, from: Readonly<Record<string, V>> | undefined): Record<string, V> => {
  for (const key in from) setEntry(to, key, from[key]!)
  return to
}

const lookup = <V>(record: Readonly<Record<string, V>> | undefined, key: string): V | undefined =>
  record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined

export const bucketGet = <V>(map: Buckets<V>, key: string): V | undefined =>
  isFlat(map) ? lookup(map.entries, key) : lookup(map.buckets[bucketOf(key)], key)

const countKeys = (record: object | undefined): number => {
  let count = 0
  for (const _ in record) count++
  return count
}

/** How many keys the map holds. */
export const bucketCount = <V>(map: Buckets<V>): number => (isFlat(map) ? countKeys(map.entries) : map.size)

/** The map holding `entries` (`size` of them), in the form its size calls for. */
const fromEntries = <V>(entries: Record<string, V>, size: number): Buckets<V> => {
  if (size <= MOST_KEPT_FLAT) return { entries }
  const buckets: Record<string, Record<string, V>> = {}
  for (const key in entries) setEntry(buckets[bucketOf(key)] ??= {}, key, entries[key]!)
  return { size, buckets }
}

/**
 * `map` with `key`'s bucket (or, while the map is small, its one record)
 * replaced by what `change` makes of a copy of it, which it may change in
 * place; `map` itself when `change` says it changed nothing.
 */
export const bucketUpdate = <V, R>(
  map: Buckets<V>,
  key: string,
  change: (bucket: Record<string, V>) => { readonly changed: boolean; readonly result: R }
): { readonly map: Buckets<V>; readonly result: R } => {
  if (isFlat(map)) {
    const entries: Record<string, V> = { ...map.entries }
    const { changed, result } = change(entries)
    return { map: changed ? fromEntries(entries, countKeys(entries)) : map, result }
  }
  const name = bucketOf(key)
  const old = map.buckets[name]
  const bucket: Record<string, V> = { ...old }
  const { changed, result } = change(bucket)
  if (!changed) return { map, result }
  const kept = countKeys(bucket)
  const size = map.size - countKeys(old) + kept
  if (size <= MOST_KEPT_FLAT) {
    const entries: Record<string, V> = {}
    for (const other in map.buckets) if (other !== name) copyEntries(entries, map.buckets[other])
    return { map: { entries: copyEntries(entries, bucket) }, result }
  }
  if (kept > 0) return { map: { size, buckets: { ...map.buckets, [name]: bucket } }, result }
  // Copied without the emptied bucket rather than spread and `delete`d: deleting a key turns an object into a slow dictionary.
  const buckets: Record<string, Readonly<Record<string, V>>> = {}
  for (const other in map.buckets) if (other !== name) buckets[other] = map.buckets[other]!
  return { map: { size, buckets }, result }
}

/** `map` without the entries `drop` picks; `map` itself when it picks none. Only the buckets that lose an entry are copied. */
export const bucketsWithout = <V>(map: Buckets<V>, drop: (value: V, key: string) => boolean): Buckets<V> => {
  /** The record without what `drop` picks, built afresh rather than copied and `delete`d (see `bucketUpdate`); undefined when it picks nothing. */
  const kept = (record: Readonly<Record<string, V>>): Record<string, V> | undefined => {
    let dropping = false
    for (const key in record) if (drop(record[key]!, key)) dropping = true
    if (!dropping) return undefined
    const copy: Record<string, V> = {}
    for (const key in record) if (!drop(record[key]!, key)) setEntry(copy, key, record[key]!)
    return copy
  }
  if (isFlat(map)) {
    const entries = kept(map.entries)
    return entries === undefined ? map : { entries }
  }
  let size = 0
  let changed = false
  const buckets: Record<string, Readonly<Record<string, V>>> = {}
  for (const name in map.buckets) {
    const bucket = map.buckets[name]!
    const smaller = kept(bucket)
    const count = countKeys(smaller ?? bucket)
    changed ||= smaller !== undefined
    if (count > 0) buckets[name] = smaller ?? bucket
    size += count
  }
  if (!changed) return map
  if (size > MOST_KEPT_FLAT) return { size, buckets }
  const entries: Record<string, V> = {}
  for (const name in buckets) copyEntries(entries, buckets[name])
  return { entries }
}

export const bucketSet = <V>(map: Buckets<V>, key: string, value: V): Buckets<V> =>
  bucketUpdate(map, key, (bucket) => {
    setEntry(bucket, key, value)
    return { changed: true, result: undefined }
  }).map

/** Every entry as one record, keys in sorted order: for views and traces. */
export const bucketsFlat = <V>(map: Buckets<V>): Readonly<Record<string, V>> => {
  const entries: Array<[string, V]> = isFlat(map)
    ? Object.entries(map.entries)
    : Object.values(map.buckets).flatMap((bucket) => Object.entries(bucket))
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return Object.fromEntries(entries)
}

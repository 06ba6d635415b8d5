/**
 * A persistent map from strings to plain values, as plain data: the keys
 * spread over a fixed number of buckets by a hash of the key, each bucket a
 * record. Changing one key copies its bucket and the index of buckets, a
 * few dozen entries however large the map, where copying a record of a
 * thousand keys costs hundreds of microseconds. A key's bucket depends on
 * the key alone and empty buckets are left out, so equal maps are equal
 * data, with equal fingerprints.
 */
export type Buckets<V> = Readonly<Record<string, Readonly<Record<string, V>>>>

const BUCKETS = 64

/** FNV-1a over the key's UTF-16 code units, folded to a bucket number. */
const bucketOf = (key: string): string => {
  let hash = 0x811c9dc5
  for (let i = 0; i < key.length; i++) hash = Math.imul(hash ^ key.charCodeAt(i), 0x01000193)
  return String((hash >>> 0) % BUCKETS)
}

export const emptyBuckets: Buckets<never> = Object.freeze({})

export const bucketGet = <V>(map: Buckets<V>, key: string): V | undefined => {
  const bucket = map[bucketOf(key)]
  return bucket !== undefined && Object.hasOwn(bucket, key) ? bucket[key] : undefined
}

/**
 * `map` with `key`'s bucket replaced by what `change` makes of a copy of
 * it, which it may change in place; `map` itself when `change` says it
 * changed nothing.
 */
export const bucketUpdate = <V, R>(
  map: Buckets<V>,
  key: string,
  change: (bucket: Record<string, V>) => { readonly changed: boolean; readonly result: R }
): { readonly map: Buckets<V>; readonly result: R } => {
  const name = bucketOf(key)
  const bucket: Record<string, V> = { ...map[name] }
  const { changed, result } = change(bucket)
  if (!changed) return { map, result }
  const next: Record<string, Readonly<Record<string, V>>> = { ...map }
  if (Object.keys(bucket).length === 0) delete next[name]
  else next[name] = bucket
  return { map: next, result }
}

export const bucketSet = <V>(map: Buckets<V>, key: string, value: V): Buckets<V> =>
  bucketUpdate(map, key, (bucket) => {
    bucket[key] = value
    return { changed: true, result: undefined }
  }).map

/** Every entry as one record, keys in sorted order: for views and traces. */
export const bucketsFlat = <V>(map: Buckets<V>): Readonly<Record<string, V>> => {
  const entries: Array<[string, V]> = []
  for (const name in map) for (const key in map[name]) entries.push([key, map[name]![key]!])
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return Object.fromEntries(entries)
}

export * from "./buckets.ts"
export * from "./kv.ts"
export * from "./kv-client.ts"
export * from "./kv-api.ts"

export * from "./types.ts"
export * from "./search.ts"
export * from "./replay.ts"
export * from "./actor-system.ts"

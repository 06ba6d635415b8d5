export * from "./model-kit.ts"
export * from "./trace.ts"
export * from "./kv.ts"
export * from "./hosting.ts"

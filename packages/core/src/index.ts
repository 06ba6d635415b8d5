export * from "./model-kit.ts"
export * from "./trace.ts"
export * from "./hosting.ts"
export * from "./scenario-file.ts"

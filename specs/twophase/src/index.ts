export * from "./twophase.ts"
export * from "./twopc.ts"

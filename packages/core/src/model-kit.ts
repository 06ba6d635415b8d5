/**
 * What a spec needs to define a model, and the checker to explore one,
 * without the Schemas of trace files and the host contract: a checker
 * worker thread that loads only this (as `@parley/core/model`) starts
 * without loading effect, which costs a good part of its start-up.
 */
export * from "./actor.ts"
export * from "./client.ts"
export * from "./equals.ts"
export * from "./fingerprint.ts"
export * from "./model.ts"
export * from "./property.ts"
export * from "./spec.ts"
export * from "./state-codec.ts"
export * from "./unordered.ts"
export { isUnordered, UnorderedTag, withFingerprintMemo } from "./unordered-tag.ts"
export * from "./system.ts"
export * from "./linearizability.ts"
/** The types of trace files only: a model describes its steps with them, and types load nothing. */
export type * from "./trace.ts"

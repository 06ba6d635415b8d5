/**
 * The three election specs. Each algorithm's messages share names (two have
 * an `Election`), so the modules are exported as namespaces beside the specs.
 */
export { bullySpec } from "./bully/spec.ts"
export type { BullyOptions } from "./bully/spec.ts"
export { ringSpec } from "./ring/spec.ts"
export type { RingOptions } from "./ring/spec.ts"
export { zkElectionSpec } from "./zk/spec.ts"
export type { ZkElectionOptions } from "./zk/spec.ts"
export * as bully from "./bully/node.ts"
export * as bullyMessages from "./bully/messages.ts"
export * as ring from "./ring/node.ts"
export * as ringMessages from "./ring/messages.ts"
export * as zk from "./zk/node.ts"
export * as zkMessages from "./zk/messages.ts"
export { bullyHosted } from "./bully/hosting.ts"
export type { BullyStatus } from "./bully/hosting.ts"
export { ringHosted } from "./ring/hosting.ts"
export type { RingStatus } from "./ring/hosting.ts"
export { zkHosted } from "./zk/hosting.ts"
export type { ZkStatus } from "./zk/hosting.ts"
export { agreedElection } from "./hosting.ts"

/**
 * The three election specs. Each algorithm's messages share names (two have
 * an `Election`), so the modules are exported as namespaces beside the specs.
 */
export { bullySpec, bullySystem, bullyVariants } from "./bully/spec.ts"
export { ringSpec, ringSystem, ringVariants } from "./ring/spec.ts"
export * as bully from "./bully/node.ts"
export * as bullyMessages from "./bully/messages.ts"
export * as ring from "./ring/node.ts"
export * as ringMessages from "./ring/messages.ts"
export { zkElectionSpec, zkElectionSystem, zkVariants } from "./zk/spec.ts"
export * as zk from "./zk/node.ts"
export * as zkMessages from "./zk/messages.ts"

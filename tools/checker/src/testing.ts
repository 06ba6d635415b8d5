/**
 * `@parley/checker/testing`: what a spec's tests use. `explore` builds and
 * searches a spec as `parley check` does; `expectHolds` and `expectCaught`
 * state what one configuration must give, as a manifest row does;
 * `checkScenarioFile` runs a reducer's scenario file.
 */
export { explore } from "./testing/explore.ts"
export type { ExploreOptions, Explored, Overrides } from "./testing/explore.ts"
export { expectCaught, expectHolds } from "./testing/claims.ts"
export type { Caught, Holds } from "./testing/claims.ts"
export { checkScenarioFile } from "./testing/scenario-file.ts"

/**
 * The page toolkit, for code that runs in the browser. Bundle an entry that
 * imports it with `bundlePage` (from `@parley/web`) and put the result in a
 * page with `pageDocument`.
 */
export { html, replaceChildren, svg } from "./dom.ts"
export { clip, eventMark, type EventMark } from "./events.ts"
export { InFlight } from "./in-flight.ts"
export { StateTree } from "./state-tree.ts"
export { Stepper, type StepperOptions } from "./stepper.ts"
export { isDown, lanesAt, SwimLanes, type SwimLanesOptions } from "./swim-lanes.ts"
export { TraceViewer, type ViewerOptions } from "./viewer.ts"
export type { ChangeView, MessageView, StepView, TraceView, VerdictView } from "../view-model.ts"

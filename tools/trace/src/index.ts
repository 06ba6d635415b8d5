export { decodeTrace, readTraceFile, TraceFileError } from "./read.ts"
export { escapeMermaid, renderMermaid } from "./mermaid.ts"
export { renderSwimLanes, type SwimLaneOptions } from "./swim-lanes.ts"
export { diffLanes, type LaneChange } from "./diff.ts"

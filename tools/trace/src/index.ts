export { decodeTrace, readTraceFile, TraceFileError } from "./read.ts"
export { renderSwimLanes, type SwimLaneOptions } from "./swim-lanes.ts"

import { readTraceFile, renderMermaid, renderSwimLanes } from "@parley/trace"
import { Console, Effect } from "effect"
import { InputFileError } from "./errors.ts"

export const runTraceShow = Effect.fnUntraced(function*(file: string, format: "lanes" | "mermaid", color: boolean) {
  const trace = yield* readTraceFile(file).pipe(
    Effect.mapError((error) => new InputFileError({ path: file, message: error.message }))
  )
  yield* Console.log(format === "mermaid" ? renderMermaid(trace) : renderSwimLanes(trace, { color }))
})

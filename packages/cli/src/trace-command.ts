import { readTraceFile, renderMermaid, renderSwimLanes } from "@parley/trace"
import { renderTracePage } from "@parley/web"
import { spawn } from "node:child_process"
import { Console, Effect, FileSystem } from "effect"
import { InputFileError, UsageError } from "./errors.ts"

export const readTrace = (file: string) =>
  readTraceFile(file).pipe(Effect.mapError((error) => new InputFileError({ path: file, message: error.message })))

export const runTraceShow = Effect.fnUntraced(function*(file: string, format: "lanes" | "mermaid", color: boolean) {
  const trace = yield* readTrace(file)
  yield* Console.log(format === "mermaid" ? renderMermaid(trace) : renderSwimLanes(trace, { color }))
})

/** The page beside its trace: `x.trace.json` → `x.html`, any other name gains `.html`. */
export const defaultPagePath = (file: string): string => {
  const stem = file.replace(/\.trace\.json$/i, "").replace(/\.json$/i, "")
  return `${stem}.html`
}

/** The command that opens a file in the desktop's browser, by platform. */
const opener = (): { readonly command: string; readonly args: ReadonlyArray<string> } =>
  process.platform === "darwin"
    ? { command: "open", args: [] }
    : process.platform === "win32"
    ? { command: "cmd", args: ["/c", "start", ""] }
    : { command: "xdg-open", args: [] }

/** Starts the browser on `file` and leaves it running; where none can start, says how to open it by hand. */
const openInBrowser = (file: string) =>
  Effect.callback<string>((resume) => {
    const { command, args } = opener()
    const child = spawn(command, [...args, file], { detached: true, stdio: "ignore" })
    child.once("error", (error) => resume(Effect.succeed(`could not open a browser (${command}: ${error.message}); open ${file} in one`)))
    child.once("spawn", () => {
      child.unref()
      resume(Effect.succeed(`opened ${file} with ${command}`))
    })
  })

/** `parley trace view`: the trace as one self-contained HTML page, written beside it (or to `out`); its path printed. */
export const runTraceView = Effect.fnUntraced(function*(file: string, out: string | undefined, open: boolean) {
  const trace = yield* readTrace(file)
  const page = yield* Effect.promise(() => renderTracePage(trace))
  const target = out ?? defaultPagePath(file)
  const fs = yield* FileSystem.FileSystem
  yield* fs.writeFileString(target, page).pipe(
    Effect.mapError((error) => new UsageError({ message: `cannot write the page to ${target}: ${error.message}` }))
  )
  yield* Console.log(target)
  if (open) yield* Console.error(yield* openInBrowser(target))
})

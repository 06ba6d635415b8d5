/**
 * `parley history check FILE`: whether a recorded history (JSON lines, or
 * Jepsen's EDN) is linearizable against a model, with the verdict as text or
 * JSON and, on request, an HTML view of a history that is not.
 * Exit codes: 0 linearizable, 1 not, 2 bad usage or input, 4 unknown (the
 * budget ran out first).
 */
import { checkHistory, findModel, formatOf, models, pairOperations, readRecords, renderHistoryHtml, renderVerdict } from "@parley/history"
import type { AnyHistoryModel, HistoryFormat } from "@parley/history"
import { Console, Effect, FileSystem, Option, Path, Result } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { pathToFileURL } from "node:url"
import { HistoryUndecided, InputFileError, UsageError, ViolationFound } from "./errors.ts"

export interface HistoryCheckInput {
  readonly file: string
  readonly model: string
  readonly modelFile: string | undefined
  readonly format: HistoryFormat | "auto"
  readonly timeLimitSeconds: number
  readonly memoryLimitMegabytes: number
  readonly html: string | undefined
  readonly json: boolean
}

const functionsOfAModel = ["read", "showInput", "showOutput", "showModel"] as const

/** What a module must export to be a model: checked field by field, since it was written by someone else. */
const isHistoryModel = (value: unknown): value is AnyHistoryModel => {
  if (typeof value !== "object" || value === null) return false
  const spec: unknown = Reflect.get(value, "spec")
  return typeof Reflect.get(value, "name") === "string" &&
    functionsOfAModel.every((name) => typeof Reflect.get(value, name) === "function") &&
    typeof spec === "object" && spec !== null &&
    typeof Reflect.get(spec, "init") === "function" && typeof Reflect.get(spec, "apply") === "function"
}

const loadModelFile = (file: string) =>
  Effect.gen(function*() {
    const paths = yield* Path.Path
    const module = yield* Effect.tryPromise({
      try: (): Promise<unknown> => import(pathToFileURL(paths.resolve(file)).href),
      catch: (error) => new UsageError({ message: `cannot load the model in ${file}: ${error instanceof Error ? error.message : String(error)}` })
    })
    const model: unknown = typeof module === "object" && module !== null ? Reflect.get(module, "default") : undefined
    if (!isHistoryModel(model)) {
      return yield* new UsageError({
        message: `${file} has no model as its default export: it needs a name, a spec with init and apply, and ${functionsOfAModel.join(", ")}`
      })
    }
    return model
  })

const chooseModel = (input: HistoryCheckInput) => {
  if (input.modelFile !== undefined) return loadModelFile(input.modelFile)
  const model = findModel(input.model)
  if (model !== undefined) return Effect.succeed(model)
  return Effect.fail(new UsageError({ message: `there is no model "${input.model}"; there are ${models.map((known) => known.name).join(", ")}` }))
}

export const runHistoryCheck = Effect.fnUntraced(function*(input: HistoryCheckInput) {
  if (input.timeLimitSeconds <= 0 || input.memoryLimitMegabytes <= 0) {
    return yield* new UsageError({ message: "--time-limit and --memory-limit must be greater than 0" })
  }
  const model = yield* chooseModel(input)
  const fs = yield* FileSystem.FileSystem
  const text = yield* fs.readFileString(input.file).pipe(
    Effect.mapError((error) => new InputFileError({ path: input.file, message: `cannot read ${input.file}: ${error.message}` }))
  )
  const format = input.format === "auto" ? formatOf(input.file, text) : input.format
  const history = Result.flatMap(readRecords(text, format), (records) => pairOperations(model, records))
  if (Result.isFailure(history)) return yield* new InputFileError({ path: input.file, message: `${input.file}: ${history.failure}` })
  const budget = { maxMilliseconds: input.timeLimitSeconds * 1000, maxMemoryBytes: input.memoryLimitMegabytes * 1024 * 1024 }
  const checked = yield* Effect.try({
    try: () => checkHistory(model, history.success, budget),
    catch: (error) => new UsageError({ message: `the ${model.name} model failed on ${input.file}: ${error instanceof Error ? error.message : String(error)}` })
  })
  if (input.html !== undefined) {
    const html = input.html
    yield* fs.writeFileString(html, renderHistoryHtml(model, checked, input.file)).pipe(
      Effect.mapError((error) => new UsageError({ message: `cannot write the HTML view to ${html}: ${error.message}` }))
    )
  }
  yield* Console.log(input.json ? JSON.stringify(checked.verdict) : renderVerdict(checked.verdict, input.file))
  if (!input.json && input.html !== undefined) yield* Console.log(`  HTML view: ${input.html}`)
  if (checked.verdict.verdict === "not-linearizable") return yield* new ViolationFound({ property: "Linearizable" })
  if (checked.verdict.verdict === "unknown") return yield* new HistoryUndecided({ reason: checked.verdict.reason ?? "time" })
})

const check = Command.make(
  "check",
  {
    file: Argument.String("file").pipe(Argument.withDescription("A history: JSON lines ({\"process\":0,\"type\":\"invoke\",\"f\":\"write\",\"value\":3}) or Jepsen's history.edn")),
    model: Flag.String("model").pipe(
      Flag.withDefault("cas-register"),
      Flag.withDescription(`The object the history ran against (default cas-register): ${models.map((model) => `${model.name} (${model.summary})`).join("; ")}`)
    ),
    modelFile: Flag.String("model-file").pipe(Flag.optional, Flag.withDescription("A TypeScript module whose default export is your own model (see docs/commands/history.md)")),
    format: Flag.Literals("format", ["auto", "jsonl", "edn"]).pipe(
      Flag.withDefault("auto"),
      Flag.withDescription("auto: by the file's extension (.edn, .jsonl), else by its first character")
    ),
    timeLimit: Flag.Finite("time-limit").pipe(Flag.withDefault(60), Flag.withDescription("Seconds before the verdict is unknown (default 60)")),
    memoryLimit: Flag.Finite("memory-limit").pipe(
      Flag.withDefault(1024),
      Flag.withDescription("Megabytes the search's memo may take, per key, before the verdict is unknown (default 1024)")
    ),
    html: Flag.String("html").pipe(Flag.optional, Flag.withDescription("Also write an HTML view of the verdict to this file")),
    json: Flag.Boolean("json").pipe(Flag.withDefault(false), Flag.withDescription("Print the verdict as one line of JSON"))
  },
  (input) =>
    runHistoryCheck({
      file: input.file,
      model: input.model,
      modelFile: Option.getOrUndefined(input.modelFile),
      format: input.format,
      timeLimitSeconds: input.timeLimit,
      memoryLimitMegabytes: input.memoryLimit,
      html: Option.getOrUndefined(input.html),
      json: input.json
    })
).pipe(
  Command.withDescription("Check whether a recorded history is linearizable (exit 0 yes, 1 no, 4 unknown)"),
  Command.withExamples([
    { command: "parley history check history.jsonl --model kv", description: "Check a key-value history key by key" },
    { command: "parley history check store/latest/history.edn --html view.html", description: "Check a Jepsen cas-register history and draw it" }
  ])
)

export const historyCommand = Command.make("history").pipe(
  Command.withDescription("Check histories recorded from real systems"),
  Command.withSubcommands([check])
)

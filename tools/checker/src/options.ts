import { isLiveness } from "@parley/core/model"
import type { Model } from "@parley/core/model"
import type { CheckOptions } from "./types.ts"

/** Two bits of `StateGraph.bits` per liveness property. */
export const MAX_LIVENESS_PROPERTIES = 16

/** The knobs a problem may name: `CheckOptions`' own, the threads, and checkpoints (`onLevel`, `onStopped`). */
export type OptionName = "strategy" | "maxDepth" | "maxStates" | "walks" | "seed" | "preferNew" | "liveness" | "symmetry" | "partialOrder" | "workers" | "checkpoint" | "resume"

/** What a check is asked to do, beyond its options, and the words its problems are told in. */
export interface OptionsContext<S, A> {
  /** The model to be searched, for the problems that depend on it (a symmetry it declares, its properties). */
  readonly model?: Model<S, A>
  /** Threads, for a parallel search. */
  readonly workers?: number
  /** How to name an option: the command line names its flags. */
  readonly optionName?: (option: OptionName) => string
  /** How to name the model (a spec's name, say). */
  readonly modelName?: string
}

const ownNames: Record<OptionName, string> = {
  strategy: "strategy",
  maxDepth: "maxDepth",
  maxStates: "maxStates",
  walks: "walks",
  seed: "seed",
  preferNew: "preferNew",
  liveness: "liveness",
  symmetry: "symmetry",
  partialOrder: "partialOrder",
  workers: "workers",
  checkpoint: "checkpoints (onLevel, onStopped)",
  resume: "resume"
}

/**
 * Every problem with a check's options, one message each, in the order the
 * options are listed in `CheckOptions`; empty when they go together. The
 * one place a check's options are checked: `check`, `checkParallel` and
 * the command line all ask it.
 */
export const validateCheckOptions = <S, A>(options: CheckOptions, context: OptionsContext<S, A> = {}): ReadonlyArray<string> => {
  const name = context.optionName ?? ((option: OptionName) => ownNames[option])
  const { strategy } = options
  const problems: Array<string> = []
  const positive: ReadonlyArray<readonly [OptionName, number | undefined]> = [["maxDepth", options.maxDepth], ["maxStates", options.maxStates], ["walks", options.walks], ["workers", context.workers]]
  for (const [option, value] of positive) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) problems.push(`${name(option)} must be a positive integer, got ${value}`)
  }
  if (options.seed !== undefined && !Number.isInteger(options.seed)) problems.push(`${name("seed")} must be an integer, got ${options.seed}`)
  if (strategy !== "sim") {
    for (const [option, value] of [["walks", options.walks], ["seed", options.seed], ["preferNew", options.preferNew === true ? true : undefined]] as const) {
      if (value !== undefined) problems.push(`${name(option)} goes with ${name("strategy")} sim, not ${strategy}`)
    }
  }
  if (context.workers !== undefined && context.workers > 1 && strategy === "dfs") problems.push(`${name("workers")} above 1 goes with ${name("strategy")} bfs or sim (a swarm)`)
  const checkpointed = options.onLevel !== undefined || options.onStopped !== undefined || options.resume !== undefined
  if (checkpointed && (strategy !== "bfs" || options.liveness === true)) {
    problems.push(`${name("checkpoint")} and ${name("resume")} go with ${name("strategy")} bfs, without ${name("liveness")}`)
  }
  if (options.symmetry === true && options.liveness === true) {
    problems.push(`${name("symmetry")} and ${name("liveness")} do not go together: a reduced graph's cycles need not be real cycles`)
  }
  if (options.partialOrder === true && (strategy !== "bfs" || options.liveness === true)) {
    problems.push(`${name("partialOrder")} goes with ${name("strategy")} bfs, without ${name("liveness")}: sleep sets prune steps, which a cycle search and a walk need`)
  }
  if (context.model !== undefined) problems.push(...modelProblems(options, context.model, name, context.modelName ?? "the model"))
  return problems
}

/** The problems that depend on the model: a symmetry it does not declare, too many liveness properties, a checkpoint of other properties. */
const modelProblems = <S, A>(options: CheckOptions, model: Model<S, A>, name: (option: OptionName) => string, modelName: string): Array<string> => {
  const problems: Array<string> = []
  if (options.symmetry === true && model.symmetryFingerprint === undefined) {
    problems.push(`${modelName} declares no interchangeable nodes, so ${name("symmetry")} has nothing to reduce`)
  }
  const liveness = model.properties.filter((p) => isLiveness(p.kind)).length
  if (options.liveness === true && liveness > MAX_LIVENESS_PROPERTIES) {
    problems.push(`the checker takes at most ${MAX_LIVENESS_PROPERTIES} liveness properties, ${modelName} has ${liveness}`)
  }
  const sometimes = model.properties.filter((p) => p.kind === "sometimes").length
  if (options.resume !== undefined && options.resume.witnesses.length !== sometimes) {
    problems.push(`the checkpoint to ${name("resume")} from has ${options.resume.witnesses.length} sometimes properties, ${modelName} has ${sometimes}`)
  }
  return problems
}

/** Throws a `RangeError` naming every problem `validateCheckOptions` finds. */
export const assertValidOptions = <S, A>(options: CheckOptions, context: OptionsContext<S, A> = {}): void => {
  const problems = validateCheckOptions(options, context)
  if (problems.length > 0) throw new RangeError(problems.join("; "))
}

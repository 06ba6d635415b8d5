/**
 * Runs dependency-cruiser with the rules over a tree laid out as the
 * repository is, and reports each violation as the rule, the importing
 * file and the module it imports (as written and as resolved).
 */
import { cruise, type ICruiseResult, type IModule, type IViolation } from "dependency-cruiser"
import { ruleSet, workspaceRoots } from "./rules.ts"

export interface Violation {
  readonly rule: string
  readonly from: string
  /** The resolved path of the imported module, or the specifier when it does not resolve. */
  readonly to: string
  /** The import as the importing file writes it. */
  readonly imported: string
  /** For a cycle: every module on it, starting after `from` and ending at `from`. */
  readonly cycle: ReadonlyArray<string>
}

/** Every violation of the rules in the workspaces under `rootDir`. */
export const findViolations = async (rootDir: string): Promise<ReadonlyArray<Violation>> => {
  const { output } = await cruise([...workspaceRoots], {
    baseDir: rootDir,
    ruleSet,
    validate: true,
    exclude: { path: "(^|/)node_modules/" },
    doNotFollow: { path: "(^|/)node_modules/" },
    // Type-only imports couple modules too; without this they are erased before the check.
    tsPreCompilationDeps: true,
    // Workspaces export .ts sources by plain string exports; .mjs for bin scripts.
    enhancedResolveOptions: { exportsFields: ["exports"], conditionNames: ["import", "default"], extensions: [".ts", ".mts", ".mjs", ".js"] }
  })
  if (typeof output === "string") throw new Error("dependency-cruiser answered with text, not a cruise result")
  return output.summary.violations.map((violation) => toViolation(output, violation))
}

const toViolation = (result: ICruiseResult, violation: IViolation): Violation => ({
  rule: violation.rule.name,
  from: violation.from,
  to: violation.to,
  imported: importedAs(result.modules, violation.from, violation.to),
  cycle: (violation.cycle ?? []).map((step) => step.name)
})

/** The specifier as written: dependency-cruiser drops the `node:` of a built-in into `protocol`. */
const importedAs = (modules: ReadonlyArray<IModule>, from: string, to: string): string => {
  const dependency = modules.find((module) => module.source === from)?.dependencies.find((candidate) => candidate.resolved === to)
  return dependency === undefined ? to : `${dependency.protocol ?? ""}${dependency.module}`
}

/** One line a person can act on: which rule, which file, which import. */
export const describeViolation = (violation: Violation): string => {
  const target = violation.imported === violation.to ? `"${violation.to}"` : `"${violation.imported}" (${violation.to})`
  const cycle = violation.cycle.length > 0 ? `, cycle ${[violation.from, ...violation.cycle].join(" -> ")}` : ""
  return `${violation.rule}: ${violation.from} imports ${target}${cycle}`
}

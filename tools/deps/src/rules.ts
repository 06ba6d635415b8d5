/**
 * The dependency rules of the design, as dependency-cruiser rules. Paths are
 * relative to the repository root and name whole workspaces, never single
 * files, so they hold while modules move inside a workspace and before a
 * workspace (packages/kv) exists. A workspace imported by its package name
 * resolves through the node_modules symlink to its real path, so the rules
 * see `@parley/checker` as `tools/checker/src/index.ts`.
 *
 *   specs -> core, kv     checker -> core     runtime -> core, kv (its tests: specs too)
 *   trace -> core         kv -> core          web -> core, trace     cli, bench -> anything
 *   explore -> core, checker, trace, web (its tests: specs too)     history -> core, web
 *   jepsen -> core, kv, runtime, history, web     validate -> core, kv, runtime (its tests: specs too)
 */
import type { IFlattenedRuleSet, IForbiddenRuleType } from "dependency-cruiser"

/** Any workspace: the targets every layer rule restricts. */
const workspace = "^(packages|specs|tools)/"
const core = "^packages/core/"
const kv = "^packages/kv/"
const checker = "^tools/checker/"
/** A spec's test files: the one place outside cli and bench that may use the checker. */
const specTest = "^specs/[^/]+/test/"

/** `from` may import its own workspace and `allowed`, and no other workspace. */
const onlyImports = (name: string, from: string, own: string, allowed: ReadonlyArray<string>, comment: string): IForbiddenRuleType => ({
  name,
  comment,
  severity: "error",
  from: { path: from },
  to: { path: workspace, pathNot: [own, ...allowed] }
})

const layerRules: ReadonlyArray<IForbiddenRuleType> = [
  onlyImports("core-imports-no-workspace", core, core, [], "core is the contract every other workspace builds on"),
  onlyImports("kv-imports-only-core", kv, kv, [core], "specs and the runtime share kv, so it sits just above core"),
  onlyImports(
    "spec-imports-only-core-and-kv",
    "^specs/([^/]+)/",
    "^specs/$1/",
    [core, kv, checker],
    "a spec is a pure reducer over the contract; only its tests reach the checker (next rule)"
  ),
  {
    name: "spec-source-imports-no-checker",
    comment: "the checker explores a spec, a spec never depends on it; its tests may",
    severity: "error",
    from: { path: "^specs/[^/]+/", pathNot: specTest },
    to: { path: checker }
  },
  onlyImports("checker-imports-only-core", checker, checker, [core], "the checker explores any Model; it never knows a spec"),
  onlyImports("runtime-imports-only-core-and-kv", "^packages/runtime/src/", "^packages/runtime/", [core, kv], "the runtime hosts any actor; it never knows a spec"),
  onlyImports(
    "runtime-tests-host-only-specs",
    "^packages/runtime/test/",
    "^packages/runtime/",
    [core, kv, "^specs/"],
    "a runtime test needs an algorithm to host, so it may take a spec as its fixture; never the checker or the cli"
  ),
  onlyImports("trace-imports-only-core", "^tools/trace/", "^tools/trace/", [core], "trace files are part of the contract"),
  onlyImports("web-imports-only-core-and-trace", "^tools/web/", "^tools/web/", [core, "^tools/trace/"], "pages draw traces; they never run a spec or the checker"),
  onlyImports("history-imports-only-core-and-web", "^tools/history/", "^tools/history/", [core, "^tools/web/"], "recorded histories are anyone's: no spec, no checker"),
  onlyImports(
    "jepsen-imports-no-spec",
    "^tools/jepsen/",
    "^tools/jepsen/",
    [core, kv, "^packages/runtime/", "^tools/history/", "^tools/web/"],
    "parley test drives any hosted spec's cluster through the runtime; the cli hands it the launcher"
  ),
  onlyImports(
    "validate-imports-no-spec",
    "^tools/validate/src/",
    "^tools/validate/",
    [core, kv, "^packages/runtime/"],
    "parley validate replays any hosted spec's logs; the cli hands it the spec and its checked system"
  ),
  onlyImports(
    "validate-tests-host-only-specs",
    "^tools/validate/test/",
    "^tools/validate/",
    [core, kv, "^packages/runtime/", "^specs/"],
    "a validate test needs an algorithm whose logs it replays, so it may take a spec as its fixture"
  ),
  onlyImports(
    "explore-imports-no-spec",
    "^tools/explore/src/",
    "^tools/explore/",
    [core, checker, "^tools/trace/", "^tools/web/"],
    "the explorer walks any spec the cli hands it; only its tests take specs as fixtures"
  )
]

const otherRules: ReadonlyArray<IForbiddenRuleType> = [
  {
    name: "core-and-specs-do-no-io",
    comment: "reducers are pure: no node built-in (fs, net, child_process, worker_threads...) in the source of core, kv or a spec; their tests may",
    severity: "error",
    from: { path: ["^packages/(core|kv)/src/", "^specs/[^/]+/src/"] },
    to: { dependencyTypes: ["core"] }
  },
  {
    name: "no-circular",
    comment: "modules that import each other, even for types only, are one module in two files or a type in the wrong place",
    severity: "error",
    from: {},
    to: { circular: true }
  },
  {
    name: "workspaces-meet-by-package-name",
    comment: "a relative path into another workspace bypasses its package exports",
    severity: "error",
    from: { path: "^((packages|specs|tools)/[^/]+)/" },
    to: { path: workspace, pathNot: "^$1/", dependencyTypes: ["local"] }
  },
  {
    name: "imports-resolve",
    comment: "an import the checker cannot resolve would escape every other rule",
    severity: "error",
    from: {},
    to: { couldNotResolve: true }
  }
]

export const ruleSet: IFlattenedRuleSet = { forbidden: [...layerRules, ...otherRules] }

/** The top-level folders that hold the workspaces, as the root package.json lists them. */
export const workspaceRoots: ReadonlyArray<string> = ["packages", "specs", "tools"]

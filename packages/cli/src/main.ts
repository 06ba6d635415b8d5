import { NodeRuntime, NodeServices } from "@effect/platform-node"
import { Effect, Option } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { runCheck } from "./check-command.ts"
import { runExplore } from "./explore-command.ts"
import { CommandLineRejected, reportFailure } from "./errors.ts"
import { runList } from "./list-command.ts"
import { nodeCommand } from "./node-command.ts"
import { clusterCommand } from "./cluster-command.ts"
import { historyCommand } from "./history-command.ts"
import { kvCommand } from "./kv-command.ts"
import { testCommand } from "./test-command.ts"
import { txCommand } from "./tx-command.ts"
import { sagaCommand } from "./saga-command.ts"
import { electCommand } from "./elect-command.ts"
import { lockCommand } from "./lock-command.ts"
import { registry } from "./registry.ts"
import { optionKinds, specsWithOption } from "./spec-config.ts"
import type { RawSpecOptions } from "./spec-config.ts"
import { runTraceReplay } from "./replay-command.ts"
import { runTraceShow, runTraceView } from "./trace-command.ts"
import { validateCommand } from "./validate-command.ts"

/** A flag that is off unless given. */
const offByDefault = (name: string, description: string) =>
  Flag.Boolean(name).pipe(Flag.withDefault(false), Flag.withDescription(description))

const json = offByDefault("json", "Print one line of JSON instead of text")

const markdown = offByDefault("markdown", "Print the Markdown tables of options and variants that the spec READMEs carry")

const list = Command.make("list", { json, markdown }, ({ json, markdown }) => runList(json ? "json" : markdown ? "markdown" : "text")).pipe(
  Command.withDescription("List the specs, their options and their known-buggy variants")
)

/**
 * Every spec's options are declared as flags of `check`, taken as raw text
 * and checked against the chosen spec afterwards, so that `--rms` given to a
 * spec without it is refused with a message naming the spec's own options.
 */
const specOptionFlags = Object.fromEntries(
  [...optionKinds(registry)].map(([name, kind]) => {
    const help = `Option of ${specsWithOption(registry, name).join(", ")}; see \`parley list\``
    return [
      name,
      kind === "flag"
        ? Flag.Boolean(name).pipe(Flag.optional, Flag.withDescription(help))
        : Flag.String(name).pipe(Flag.optional, Flag.withDescription(help))
    ]
  })
) as Record<string, Flag.Flag<Option.Option<string | boolean>>>

/** The spec options given, by name: the flags `check` and `explore` share. */
const givenSpecOptions = (flags: Record<string, Option.Option<string | boolean>>): RawSpecOptions => {
  const given: Record<string, string | boolean> = {}
  for (const [name, value] of Object.entries(flags)) if (Option.isSome(value)) given[name] = value.value
  return given
}

const check = Command.make(
  "check",
  {
    spec: Argument.String("spec").pipe(Argument.withDescription("The spec to check; `parley list` shows them")),
    variant: Flag.String("variant").pipe(Flag.optional, Flag.withDescription("A known-buggy variant of the spec")),
    strategy: Flag.Literals("strategy", ["bfs", "dfs", "sim"]).pipe(
      Flag.withDefault("bfs"),
      Flag.withDescription("bfs finds a shortest counterexample; dfs goes deep first; sim runs random walks")
    ),
    maxDepth: Flag.Int("max-depth").pipe(
      Flag.optional,
      Flag.withDescription("Do not expand states deeper than this; with sim, the length of each walk (default 100)")
    ),
    walks: Flag.Int("walks").pipe(Flag.optional, Flag.withDescription("With sim: how many random walks, per walker (default 1000)")),
    seed: Flag.Int("seed").pipe(Flag.optional, Flag.withDescription("With sim: the seed of the walks (default 0); a seed reproduces its walks")),
    preferNew: offByDefault("prefer-new", "With sim: each step picks among the successors the walker has not stored yet, when there are any"),
    maxStates: Flag.Int("max-states").pipe(Flag.optional, Flag.withDescription("Stop after this many distinct states")),
    deadlock: offByDefault("deadlock", "Report a non-terminal state with no successor as a violation"),
    liveness: offByDefault("liveness", "Also check the spec's liveness properties (eventually, leads-to) under weak fairness; keeps the state graph"),
    workers: Flag.Int("workers").pipe(
      Flag.optional,
      Flag.withDescription("Threads for a breadth-first search, with or without --liveness; with sim, walkers of a swarm, seeds --seed, --seed+1... (default: every core for bfs, else 1)")
    ),
    symmetry: offByDefault("symmetry", "Store one state per orbit of the spec's interchangeable nodes (specs that declare them)"),
    // Neither given: the spec's own default, on where the bench measured that it pays (see docs/commands/check.md).
    por: Flag.Boolean("por").pipe(
      Flag.optional,
      Flag.withDescription("Partial-order reduction by sleep sets for actor specs, in a bfs without --liveness: the same states, fewer steps; " +
        "--no-por turns it off; neither: on for the specs that declare it (docs/commands/check.md)")
    ),
    progress: offByDefault("progress", "Print a progress line on stderr about once a second, one line each when stderr is not a terminal (a CI log, say)"),
    checkpoint: Flag.String("checkpoint").pipe(
      Flag.optional,
      Flag.withDescription("Write the search's state to this file now and then, and when Ctrl-C stops it (bfs without --liveness, any number of workers)")
    ),
    checkpointEvery: Flag.Int("checkpoint-every").pipe(
      Flag.withDefault(60),
      Flag.withDescription("Seconds between checkpoints, taken at the end of a BFS level (default 60)")
    ),
    resume: Flag.String("resume").pipe(
      Flag.optional,
      Flag.withDescription("Go on with the search a checkpoint holds, given the same spec, options and --symmetry, on any number of workers")
    ),
    traceOut: Flag.String("trace-out").pipe(
      Flag.optional,
      Flag.withDescription("Where to write the counterexample (default traces/SPEC-VARIANT-PROPERTY.trace.json)")
    ),
    json,
    specOptionFlags
  },
  (input) =>
    runCheck({
      spec: input.spec,
      specOptions: givenSpecOptions(input.specOptionFlags),
      variant: Option.getOrUndefined(input.variant),
      strategy: input.strategy,
      maxDepth: Option.getOrUndefined(input.maxDepth),
      maxStates: Option.getOrUndefined(input.maxStates),
      walks: Option.getOrUndefined(input.walks),
      seed: Option.getOrUndefined(input.seed),
      preferNew: input.preferNew,
      deadlock: input.deadlock,
      liveness: input.liveness,
      symmetry: input.symmetry,
      partialOrder: Option.getOrUndefined(input.por),
      progress: input.progress,
      workers: Option.getOrUndefined(input.workers),
      checkpoint: Option.getOrUndefined(input.checkpoint),
      checkpointEverySeconds: input.checkpointEvery,
      resume: Option.getOrUndefined(input.resume),
      traceOut: Option.getOrUndefined(input.traceOut),
      json: input.json
    })
).pipe(
  Command.withDescription("Explore every reachable state of a spec and report the first property it breaks"),
  Command.withExamples([
    { command: "parley check twophase --rms 3", description: "Check TwoPhase with three resource managers" },
    {
      command: "parley check 2pc --variant no-durable-decision",
      description: "Find the bug in a coordinator that sends its decision before logging it"
    }
  ])
)

const explore = Command.make(
  "explore",
  {
    spec: Argument.String("spec").pipe(Argument.withDescription("The spec to explore; `parley list` shows them")),
    variant: Flag.String("variant").pipe(Flag.optional, Flag.withDescription("A known-buggy variant of the spec")),
    path: Flag.String("path").pipe(Flag.optional, Flag.withDescription("Start at the state this path reaches: action indices separated by dots, as in the page's URL")),
    port: Flag.Int("port").pipe(Flag.withDefault(0), Flag.withDescription("The port on 127.0.0.1 to serve on (default: a free one, printed)")),
    specOptionFlags
  },
  (input) =>
    runExplore({
      spec: input.spec,
      specOptions: givenSpecOptions(input.specOptionFlags),
      variant: Option.getOrUndefined(input.variant),
      path: Option.getOrUndefined(input.path),
      port: input.port
    })
).pipe(
  Command.withDescription("Walk a spec's states by hand in the browser: enabled actions, each node's state, properties, check from here"),
  Command.withExamples([
    { command: "parley explore raft --nodes 3", description: "Serve the explorer for Raft on a free port and print its URL" }
  ])
)

const show = Command.make(
  "show",
  {
    file: Argument.String("file").pipe(Argument.withDescription("A trace file written by `parley check`")),
    format: Flag.Literals("format", ["lanes", "mermaid"]).pipe(
      Flag.withDefault("lanes"),
      Flag.withDescription("lanes: a swim-lane diagram for the terminal; mermaid: a Mermaid sequence diagram")
    ),
    color: Flag.Boolean("color").pipe(Flag.withDefault(false), Flag.withDescription("Colour the diagram (on by default on a terminal)"))
  },
  ({ file, format, color }) => runTraceShow(file, format, color || process.stdout.isTTY === true)
).pipe(Command.withDescription("Render a counterexample trace"))

const view = Command.make(
  "view",
  {
    file: Argument.String("file").pipe(Argument.withDescription("A trace file written by `parley check`")),
    out: Flag.String("out").pipe(Flag.optional, Flag.withDescription("Where to write the page (default: beside the trace, FILE.html)")),
    open: offByDefault("open", "Open the page in the desktop's browser")
  },
  ({ file, out, open }) => runTraceView(file, Option.getOrUndefined(out), open)
).pipe(Command.withDescription("Write a counterexample as one self-contained interactive HTML page and print its path"))

const replay = Command.make(
  "replay",
  {
    file: Argument.String("file").pipe(Argument.withDescription("A trace file written by `parley check` for a spec that runs as a cluster")),
    cluster: Flag.String("cluster").pipe(
      Flag.withOptionalValue(""),
      Flag.optional,
      Flag.withDescription("Make the trace happen on real node processes in controlled mode, in DIR (--cluster=DIR; bare: a fresh directory under the system's temporary one)")
    ),
    basePort: Flag.Int("base-port").pipe(Flag.optional, Flag.withDescription("Node i serves clients on this + i, its control channel on this + 150 + i (default: a free block)")),
    keep: offByDefault("keep", "Leave the cluster running afterwards, for `parley cluster status --dir`")
  },
  (input) => runTraceReplay({ ...input, cluster: Option.getOrUndefined(input.cluster), basePort: Option.getOrUndefined(input.basePort) })
).pipe(Command.withDescription("Make a counterexample happen on a real cluster, step by step, and show the property broken there"))

const trace = Command.make("trace").pipe(
  Command.withDescription("Read counterexample traces, and replay them on real clusters"),
  Command.withSubcommands([show, view, replay])
)

const parley = Command.make("parley").pipe(
  Command.withDescription("A workbench for distributed algorithms: check specs, read counterexamples, run clusters"),
  Command.withSubcommands([
    list, check, explore, trace, nodeCommand, clusterCommand, kvCommand, txCommand, sagaCommand, lockCommand, electCommand,
    historyCommand, testCommand, validateCommand
  ])
)

Command.run(parley, { version: "0.1.0" }).pipe(
  Effect.catchTag("ShowHelp", (help) => help.errors.length === 0 ? Effect.void : Effect.fail(new CommandLineRejected())),
  Effect.provide(NodeServices.layer),
  Effect.tapCause(reportFailure),
  NodeRuntime.runMain({ disableErrorReporting: true })
)

/**
 * A local cluster of node processes in controlled mode (the runtime's
 * controlled.ts), for `parley trace replay`: started, killed with -9 and
 * restarted as `parley cluster` does, and stepped through each node's
 * control channel, every answer decoded with the control Schemas.
 */
import type { AnyHostedSpec, NodeId } from "@parley/core"
import { busyAddresses, clusterFilePath, controlPaths, controlSchemas, ensureCredentials, forgetPid, livePid, logPath, loopbackNodes, startNode } from "@parley/runtime"
import type { ClusterFile, ControlEvent, ControlReport, Launcher } from "@parley/runtime"
import { Effect, Result, Schema } from "effect"
import { mkdirSync, writeFileSync } from "node:fs"
import { UsageError } from "./errors.ts"
import type { ControlledNodes } from "./replay-steps.ts"

/** Node i (from 1) serves clients on base + i, peers on base + 100 + i, and its control channel on base + 150 + i. */
const controlAddress = (basePort: number, index: number): string => `127.0.0.1:${basePort + 150 + index + 1}`

/** How long a started node may take to answer its control channel (tsx compiles the CLI first: seconds on a busy machine). */
const startTimeoutMs = 60_000

const failure = (message: string) => new UsageError({ message })

export class ReplayCluster implements ControlledNodes {
  private readonly decodeReport: (body: unknown) => Result.Result<ControlReport, Schema.SchemaError>
  private readonly encodeEvent: (event: ControlEvent) => Result.Result<unknown, Schema.SchemaError>

  private constructor(
    readonly dir: string,
    readonly file: ClusterFile,
    private readonly basePort: number,
    private readonly launcher: Launcher,
    private readonly hosted: AnyHostedSpec
  ) {
    const { ControlEvent, ControlReport } = controlSchemas(hosted)
    this.decodeReport = Schema.decodeUnknownResult(ControlReport)
    this.encodeEvent = Schema.encodeResult(ControlEvent)
  }

  /** Writes the cluster file and starts every node in controlled mode; each node's first report is its start. */
  static up(options: {
    readonly dir: string
    readonly basePort: number
    readonly launcher: Launcher
    readonly hosted: AnyHostedSpec
    readonly nodes: ReadonlyArray<NodeId>
    readonly clusterOptions: Readonly<Record<string, unknown>>
    readonly variant: string | undefined
  }) {
    return Effect.gen(function*() {
      const nodes = loopbackNodes(options.basePort, options.nodes.length, options.nodes)
      const controls = nodes.map((_, i) => controlAddress(options.basePort, i))
      const busy = yield* busyAddresses([...nodes.flatMap((node) => [node.client, node.peer]), ...controls])
      if (busy.length > 0) return yield* failure(`${busy.join(", ")} in use by another process; choose another --base-port`)
      mkdirSync(options.dir, { recursive: true })
      if (options.nodes.some((id) => livePid(options.dir, id) !== undefined)) {
        return yield* failure(`a node still runs in ${options.dir}; stop it with \`parley cluster down --dir ${options.dir}\``)
      }
      const file: ClusterFile = {
        spec: options.hosted.name,
        nodes,
        timers: {},
        options: options.clusterOptions,
        requireClientToken: false,
        ...(options.variant === undefined ? {} : { variant: options.variant })
      }
      yield* ensureCredentials(options.dir)
      writeFileSync(clusterFilePath(options.dir), JSON.stringify(file, null, 2) + "\n")
      const cluster = new ReplayCluster(options.dir, file, options.basePort, options.launcher, options.hosted)
      for (const id of options.nodes) cluster.launch(id)
      return cluster
    })
  }

  private index(id: NodeId): number {
    return this.file.nodes.findIndex((node) => node.id === id)
  }

  private launch(id: NodeId): void {
    startNode(this.dir, this.file, id, this.launcher, ["--control", controlAddress(this.basePort, this.index(id))])
  }

  private call(id: NodeId, method: "GET" | "POST", path: string, body?: unknown) {
    const url = `http://${controlAddress(this.basePort, this.index(id))}${path}`
    return Effect.tryPromise({
      try: async () => {
        const response = await fetch(url, {
          method,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(30_000)
        })
        return { status: response.status, body: (await response.json()) as unknown }
      },
      catch: (error) => failure(`node ${id}'s control channel did not answer: ${error instanceof Error ? error.message : String(error)}`)
    }).pipe(Effect.flatMap(({ status, body }) => {
      if (status !== 200) {
        const refusal = Schema.decodeUnknownResult(Schema.Struct({ error: Schema.String }))(body)
        return Effect.fail(failure(`node ${id} refused the step (${status}): ${Result.isSuccess(refusal) ? refusal.success.error : JSON.stringify(body)}`))
      }
      const report = this.decodeReport(body)
      return Result.isSuccess(report)
        ? Effect.succeed(report.success)
        : Effect.fail(failure(`node ${id}'s report does not fit ${this.hosted.name}'s control Schemas: ${report.failure.message}`))
    }))
  }

  /** What the node did since its last report; waits for a node that is starting to answer. */
  awaitReport(id: NodeId) {
    const cluster = this
    return Effect.gen(function*() {
      const deadline = Date.now() + startTimeoutMs
      while (true) {
        const report = yield* Effect.result(cluster.call(id, "GET", controlPaths.report))
        if (Result.isSuccess(report)) return report.success
        if (livePid(cluster.dir, id) === undefined) return yield* failure(`node ${id} exited while starting; its log is ${logPath(cluster.dir, id)}`)
        if (Date.now() > deadline) return yield* failure(`node ${id} did not answer its control channel within ${startTimeoutMs} ms; its log is ${logPath(cluster.dir, id)}`)
        yield* Effect.sleep(100)
      }
    })
  }

  /** The node takes `event`; its report once the step is done. */
  step(id: NodeId, event: ControlEvent) {
    const encoded = this.encodeEvent(event)
    if (Result.isFailure(encoded)) {
      return Effect.fail(failure(`the trace's ${event._tag.toLowerCase()} for ${id} does not fit what a ${this.hosted.name} node takes: ${encoded.failure.message}`))
    }
    return this.call(id, "POST", controlPaths.step, encoded.success)
  }

  /** `kill -9`, as `parley cluster kill` does. */
  kill(id: NodeId): void {
    const pid = livePid(this.dir, id)
    if (pid !== undefined) process.kill(pid, "SIGKILL")
    forgetPid(this.dir, id)
  }

  /** Starts a killed node again on its durable state; its report is its recovery. */
  restart(id: NodeId) {
    this.launch(id)
    return this.awaitReport(id)
  }
}

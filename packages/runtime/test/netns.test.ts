/**
 * A namespace network without a cluster: a TCP server in one node's
 * namespace, probes from another's and from the root namespace. A cut
 * loses the traffic silently (the probe's connect times out; nothing
 * refuses it), leaves the root namespace's way in open, and heals at once;
 * when the scope closes nothing of the network is left. Where namespaces
 * cannot be made, making one fails with the reason.
 */
import { Effect } from "effect"
import { execFileSync, spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import { afterEach, describe, expect, it } from "vitest"
import { namespaceNetwork, netnsUnavailable } from "../src/netns.ts"
import type { NamespaceNetwork } from "../src/netns.ts"

const unavailable = await Effect.runPromise(netnsUnavailable)
const started: Array<ChildProcess> = []

afterEach(() => {
  for (const child of started.splice(0)) child.kill("SIGKILL")
})

const port = 7000

const server = `require("node:net").createServer((socket) => socket.on("error", () => {}).end("hello")).listen(${port}, process.argv[1], () => console.log("listening"))`

/** Connects to argv[1] and says how it went within 1.5 s: connected, timeout, or the error's code. */
const probe = `const socket = require("node:net").connect(${port}, process.argv[1]);
socket.setTimeout(1500, () => { console.log("timeout"); process.exit(0) });
socket.on("connect", () => { console.log("connected"); process.exit(0) });
socket.on("error", (error) => { console.log(error.code); process.exit(0) })`

/** `node -e script host` run as node `id` of the network: inside its namespace. */
const runIn = (network: NamespaceNetwork, id: string, script: string, host: string): ChildProcess => {
  const { executable, args } = network.launcher({ executable: process.execPath, args: ["-e", script, host] })
  const child = spawn(executable, [...args, "--id", id], { stdio: ["ignore", "pipe", "inherit"] })
  started.push(child)
  return child
}

const firstLine = (child: ChildProcess): Promise<string> =>
  new Promise((resolve) => {
    let text = ""
    child.stdout!.on("data", (chunk) => {
      text += chunk
      if (text.includes("\n")) resolve(text.split("\n")[0]!)
    })
    child.on("close", () => resolve(text.split("\n")[0]!))
  })

const probeFrom = (network: NamespaceNetwork, id: string | undefined, host: string): Promise<string> =>
  firstLine(
    id === undefined
      ? spawn(process.execPath, ["-e", probe, host], { stdio: ["ignore", "pipe", "inherit"] })
      : runIn(network, id, probe, host)
  )

const namespacesOfThisProcess = (): Array<string> =>
  execFileSync("ip", ["netns", "list"], { encoding: "utf8" }).split("\n").filter((line) => line.startsWith(`parley-${process.pid}`))

describe("a namespace network", () => {
  if (unavailable !== undefined) {
    it(`cannot be made here, and says why (${unavailable})`, async () => {
      const made = await Effect.runPromise(Effect.result(Effect.scoped(namespaceNetwork(["a", "b"]))))
      expect(made._tag).toBe("Failure")
      expect(made._tag === "Failure" ? made.failure.message : "").toBe(unavailable)
    })
    return
  }

  it("loses what crosses a cut silently, both ways, keeps the root namespace's way in, and heals", async () => {
    const seen = await Effect.runPromise(Effect.scoped(Effect.gen(function*() {
      const network = yield* namespaceNetwork(["a", "b"])
      const [hostA, hostB] = network.hosts
      const listening = yield* Effect.promise(() => firstLine(runIn(network, "b", server, hostB!)))
      const before = yield* Effect.promise(() => probeFrom(network, "a", hostB!))
      yield* network.cut(["a"])
      const cutAtoB = yield* Effect.promise(() => probeFrom(network, "a", hostB!))
      const cutRootToB = yield* Effect.promise(() => probeFrom(network, undefined, hostB!))
      const cutBtoA = yield* Effect.promise(() => probeFrom(network, "b", hostA!))
      yield* network.heal
      const healed = yield* Effect.promise(() => probeFrom(network, "a", hostB!))
      return { listening, before, cutAtoB, cutRootToB, cutBtoA, healed, subnet: network.subnet, hosts: network.hosts }
    })))
    expect(seen.subnet).toMatch(/^10\.213\.\d+\.0\/24$/)
    expect(seen.hosts.every((host) => host.startsWith(seen.subnet.replace(/0\/24$/, "")))).toBe(true)
    expect(seen).toMatchObject({ listening: "listening", before: "connected", cutAtoB: "timeout", cutRootToB: "connected", healed: "connected" })
    // Nothing listens on a's port: across the cut even that refusal is lost.
    expect(seen.cutBtoA).toBe("timeout")
    expect(namespacesOfThisProcess()).toEqual([])
  }, 60_000)
})

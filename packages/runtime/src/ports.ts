/**
 * Whether a cluster's ports are free before its nodes are started, so that
 * a port some other process holds is named at once instead of showing up as
 * a node that never answers.
 */
import { Effect } from "effect"
import { readFileSync } from "node:fs"
import * as net from "node:net"
import { addressOf, loopbackNodes } from "./cluster-file.ts"

const bindable = (address: string): Promise<boolean> =>
  new Promise((resolve) => {
    const { host, port } = addressOf(address)
    const server = net.createServer()
    server.once("error", () => resolve(false))
    server.listen({ host, port }, () => server.close(() => resolve(true)))
  })

/** The addresses among these that cannot be listened on now, usually because another process holds them. */
export const busyAddresses = (addresses: ReadonlyArray<string>) =>
  Effect.promise(async () => {
    const free = await Promise.all(addresses.map(bindable))
    return addresses.filter((_, i) => !free[i])
  })

/** The first port of the range the kernel hands out to outgoing connections (Linux's default when /proc does not say). */
const ephemeralLow = (): number => {
  try {
    const low = Number(readFileSync("/proc/sys/net/ipv4/ip_local_port_range", "utf8").trim().split(/\s+/)[0])
    return Number.isInteger(low) && low > 1024 ? low : 32768
  } catch {
    return 32768
  }
}

/**
 * A base port whose `loopbackNodes` are all free now and lies below the ephemeral range, where no outgoing
 * connection can take one of its ports between the probe and the listen.
 */
export const freeBasePort = (nodes: number) =>
  Effect.gen(function*() {
    const lowest = 10_000
    const blocks = Math.max(1, Math.floor((ephemeralLow() - lowest - 100 - nodes) / 200))
    for (let attempt = 0; attempt < 50; attempt++) {
      const base = lowest + 200 * Math.floor(Math.random() * blocks)
      const busy = yield* busyAddresses(loopbackNodes(base, nodes).flatMap((node) => [node.client, node.peer]))
      if (busy.length === 0) return base
    }
    return yield* Effect.die(new Error(`no free block of ports for ${nodes} nodes below ${ephemeralLow()} after 50 tries`))
  })

/**
 * A local cluster's own network: one Linux network namespace per node,
 * each with a veth pair into a bridge in the root namespace, on a private
 * /24 of 10.213.0.0/16 that no interface of the machine uses. Nodes listen
 * only on their namespace's address; the root namespace (the test's
 * clients) reaches them through the bridge. A partition is cut in the
 * nodes' own kernels: each side's namespace maps the other side's
 * addresses to a hardware address nobody owns, so frames go out and are
 * lost, both ways, silently, as iptables' DROP loses them (no iptables or
 * tc action is needed; both are missing on many machines). Everything it
 * creates is named after the process that made it, removed when its scope
 * closes, and swept at the next start if that process died first.
 */
import type { NodeId } from "@parley/core"
import { Effect, Schema } from "effect"
import { execFile } from "node:child_process"
import { ClusterControlError } from "./errors.ts"
import type { Launcher } from "./cluster-control.ts"

/** Every namespace this module makes is named `parley-TAG-NODE`; TAG starts with the pid of the process that made it. */
const namespacePrefix = "parley-"
const bridgePrefix = "pbr"
const vethPrefix = "pv"
/** The addresses of every such network: the /16 of 10.213.S.0/24 subnets, one per live network. */
export const netnsRange = "10.213.0.0/16"
/** Locally administered and owned by no interface: frames sent to it reach nobody. */
const nowhere = "02:00:00:00:00:00"

const fail = (message: string) => new ClusterControlError({ message })

/** `ip ARGS`; its output, or a failure naming the command and what `ip` said. */
const ip = (...args: ReadonlyArray<string>) =>
  Effect.callback<string, ClusterControlError>((resume) => {
    execFile("ip", args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error === null) resume(Effect.succeed(stdout))
      else resume(Effect.fail(fail(`\`ip ${args.join(" ")}\` failed: ${(stderr.trim() || error.message).split("\n")[0]}`)))
    })
  })

/** Why this process cannot make namespaces (not root, no iproute2, no `ip netns`); undefined when it can. */
export const netnsUnavailable: Effect.Effect<string | undefined> = Effect.gen(function*() {
  if (process.platform !== "linux") return `network namespaces are Linux's; this is ${process.platform}`
  if (process.getuid?.() !== 0) return "network namespaces need root (they create namespaces, a bridge and veth pairs)"
  const listed = yield* Effect.result(ip("netns", "list"))
  return listed._tag === "Failure" ? `\`ip netns\` does not work here: ${listed.failure.message}` : undefined
})

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return error instanceof Error && "code" in error && error.code === "EPERM"
  }
}

/** Our names, each with the pid that made it: namespaces, bridges and the host ends of veths. */
const ours = {
  namespace: new RegExp(`^${namespacePrefix}(\\d+)[a-z]-`),
  bridge: new RegExp(`^${bridgePrefix}(\\d+)[a-z]$`),
  veth: new RegExp(`^${vethPrefix}(\\d+)[a-z]-\\d$`)
}

/** Whether `name` is one of ours whose process is gone. */
const stale = (name: string, pattern: RegExp): boolean => {
  const owner = pattern.exec(name)?.[1]
  return owner !== undefined && !alive(Number(owner))
}

const namespaceNames = ip("netns", "list").pipe(Effect.map((text) => text.split("\n").map((line) => line.split(" ")[0]!).filter((name) => name !== "")))

/** What `ip -j -d link show` says of each link that we read: its name and kind. */
const Links = Schema.fromJsonString(Schema.Array(Schema.Struct({
  ifname: Schema.String,
  linkinfo: Schema.optional(Schema.Struct({ info_kind: Schema.optional(Schema.String) }))
})))
const decodeLinks = Schema.decodeUnknownEffect(Links)

const links = ip("-j", "-d", "link", "show").pipe(
  Effect.flatMap((text) =>
    decodeLinks(text).pipe(Effect.mapError((error) => fail(`\`ip -j -d link show\` answered what does not read as links: ${error.message}`)))
  )
)

/** Stops what still runs in a namespace (nodes whose parent was killed), then removes the namespace. */
const removeNamespace = (name: string) =>
  Effect.gen(function*() {
    const pids = yield* ip("netns", "pids", name).pipe(Effect.orElseSucceed(() => ""))
    for (const pid of pids.split("\n").map(Number).filter((pid) => Number.isInteger(pid) && pid > 0)) {
      try {
        process.kill(pid, "SIGKILL")
      } catch {
        // gone already
      }
    }
    yield* Effect.ignore(ip("netns", "del", name))
  })

/** Removes the namespaces, bridges and veths of networks whose process is gone (killed before it could clean up). */
export const sweepStaleNetworks = Effect.gen(function*() {
  for (const name of yield* namespaceNames) if (stale(name, ours.namespace)) yield* removeNamespace(name)
  for (const link of yield* links) {
    const kind = link.linkinfo?.info_kind
    if ((kind === "bridge" && stale(link.ifname, ours.bridge)) || (kind === "veth" && stale(link.ifname, ours.veth))) yield* Effect.ignore(ip("link", "del", link.ifname))
  }
})

/** The first 10.213.S.0/24, counting from the pid's (two networks made at once rarely race for one), that no address or route of the machine touches. */
const freeSubnet = Effect.gen(function*() {
  const used = (yield* ip("-o", "-4", "addr", "show")) + (yield* ip("-4", "route", "show"))
  for (let step = 0; step < 256; step++) {
    const subnet = (process.pid + step) % 256
    if (!used.includes(`10.213.${subnet}.`)) return subnet
  }
  return yield* Effect.fail(fail(`every /24 of ${netnsRange} is in use on this machine`))
})

/** A cluster's network of namespaces, live while its scope is open. */
export interface NamespaceNetwork {
  /** The /24 the nodes and the bridge have their addresses in. */
  readonly subnet: string
  /** The address each node listens on inside its own namespace, in the order of the ids the network was made for. */
  readonly hosts: ReadonlyArray<string>
  /** `inner` run inside the namespace of the node it starts (the node's pid stays the process's: kill -9 and SIGSTOP reach the node itself). */
  launcher(inner: Launcher): Launcher
  /** Cuts the nodes of `isolated` off from the rest, both ways, at the network layer; what was cut before stays cut. */
  cut(isolated: ReadonlyArray<NodeId>): Effect.Effect<void, ClusterControlError>
  /** Every cut undone. */
  readonly heal: Effect.Effect<void, ClusterControlError>
}

let networksMade = 0

interface Member {
  readonly id: NodeId
  readonly namespace: string
  readonly veth: string
  readonly host: string
}

const addMember = (member: Member, bridge: string) =>
  Effect.gen(function*() {
    yield* ip("netns", "add", member.namespace)
    yield* ip("link", "add", member.veth, "type", "veth", "peer", "name", "eth0", "netns", member.namespace)
    yield* ip("link", "set", member.veth, "master", bridge, "up")
    yield* ip("-n", member.namespace, "addr", "add", `${member.host}/24`, "dev", "eth0")
    yield* ip("-n", member.namespace, "link", "set", "eth0", "up")
    yield* ip("-n", member.namespace, "link", "set", "lo", "up")
  })

const removeAll = (members: ReadonlyArray<Member>, bridge: string) =>
  Effect.gen(function*() {
    for (const member of members) {
      yield* removeNamespace(member.namespace)
      yield* Effect.ignore(ip("link", "del", member.veth))
    }
    yield* Effect.ignore(ip("link", "del", bridge))
  })

/** Maps each of `unreachable`'s addresses, inside `from`'s namespace, to nowhere. */
const poison = (from: Member, unreachable: ReadonlyArray<Member>) =>
  Effect.forEach(unreachable, (to) => ip("-n", from.namespace, "neigh", "replace", to.host, "lladdr", nowhere, "nud", "permanent", "dev", "eth0"), { discard: true })

/**
 * Makes a namespace, veth and address for each of `ids` and the bridge
 * that joins them (stale networks swept first); all of it is removed, and
 * anything still running inside stopped, when the scope closes.
 */
export const namespaceNetwork = (ids: ReadonlyArray<NodeId>) =>
  Effect.gen(function*() {
    const unavailable = yield* netnsUnavailable
    if (unavailable !== undefined) return yield* Effect.fail(fail(unavailable))
    if (ids.length > 9) return yield* Effect.fail(fail(`a namespace network has at most 9 nodes, not ${ids.length}`))
    yield* sweepStaleNetworks
    const tag = `${process.pid}${String.fromCharCode(97 + (networksMade++ % 26))}`
    const subnet = yield* freeSubnet
    const bridge = `${bridgePrefix}${tag}`
    const members: ReadonlyArray<Member> = ids.map((id, index) => ({
      id,
      namespace: `${namespacePrefix}${tag}-${id}`,
      veth: `${vethPrefix}${tag}-${index + 1}`,
      host: `10.213.${subnet}.${11 + index}`
    }))
    yield* Effect.acquireRelease(
      Effect.gen(function*() {
        yield* ip("link", "add", bridge, "type", "bridge")
        yield* ip("addr", "add", `10.213.${subnet}.1/24`, "dev", bridge)
        yield* ip("link", "set", bridge, "up")
        for (const member of members) yield* addMember(member, bridge)
      }).pipe(Effect.onError(() => removeAll(members, bridge))),
      () => removeAll(members, bridge)
    )
    const memberOf = (id: NodeId) => members.find((member) => member.id === id)
    const network: NamespaceNetwork = {
      subnet: `10.213.${subnet}.0/24`,
      hosts: members.map((member) => member.host),
      launcher: (inner) => ({
        // `sh` finds the node's id among the arguments and execs `ip netns exec`, which execs the node: one pid throughout.
        executable: "/bin/sh",
        args: [
          "-c",
          `id=; last=; for arg in "$@"; do [ "$last" = --id ] && id=$arg; last=$arg; done; exec ip netns exec "${namespacePrefix}${tag}-$id" "$@"`,
          "parley-netns",
          inner.executable,
          ...inner.args
        ]
      }),
      cut: (isolated) =>
        Effect.gen(function*() {
          const unknown = isolated.filter((id) => memberOf(id) === undefined)
          if (unknown.length > 0) return yield* Effect.fail(fail(`no node ${unknown.join(", ")} in this network`))
          const inside = members.filter((member) => isolated.includes(member.id))
          const outside = members.filter((member) => !isolated.includes(member.id))
          for (const member of inside) yield* poison(member, outside)
          for (const member of outside) yield* poison(member, inside)
        }),
      heal: Effect.forEach(members, (member) => ip("-n", member.namespace, "neigh", "flush", "dev", "eth0", "nud", "permanent"), { discard: true })
    }
    return network
  })

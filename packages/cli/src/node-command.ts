import { runHost } from "@parley/runtime"
import { Command, Flag } from "effect/cli"
import { dirname } from "node:path"
import { hostedSpecs } from "./hosted.ts"

const logLevels = ["Trace", "Debug", "Info", "Warn", "Error"] as const

export const nodeCommand = Command.make(
  "node",
  {
    spec: Flag.String("spec").pipe(Flag.withDescription("The spec the cluster runs; it must match the cluster file's")),
    id: Flag.String("id").pipe(Flag.withDescription("This node's id in the cluster file")),
    cluster: Flag.String("cluster").pipe(Flag.withDescription("The cluster file: node ids, peer and client addresses")),
    dataDir: Flag.String("data-dir").pipe(
      Flag.optional,
      Flag.withDescription("Where ID.sqlite keeps the durable state (default: the cluster file's directory)")
    ),
    secretFile: Flag.String("secret-file").pipe(
      Flag.optional,
      Flag.withDescription("The cluster secret peers prove to each other (default: cluster.secret beside the cluster file)")
    ),
    tokenFile: Flag.String("token-file").pipe(
      Flag.optional,
      Flag.withDescription("The bearer token clients send; required to serve clients beyond loopback (default: client.token beside the cluster file)")
    ),
    control: Flag.String("control").pipe(
      Flag.optional,
      Flag.withDescription("Controlled mode, for `parley trace replay`: timers fire and messages leave only when told, through a control channel on this loopback address")
    ),
    logLevel: Flag.Literals("log-level", logLevels).pipe(Flag.withDefault("Info"), Flag.withDescription("The least severe log level printed"))
  },
  ({ spec, id, cluster, dataDir, secretFile, tokenFile, control, logLevel }) =>
    runHost({
      clusterFile: cluster,
      id,
      spec,
      dataDir: dataDir._tag === "Some" ? dataDir.value : dirname(cluster),
      logLevel,
      hostedSpecs,
      ...(secretFile._tag === "Some" ? { secretFile: secretFile.value } : {}),
      ...(tokenFile._tag === "Some" ? { tokenFile: tokenFile.value } : {}),
      ...(control._tag === "Some" ? { control: control.value } : {})
    })
).pipe(Command.withDescription("Run one node of a cluster in this process, until it is stopped or its loop fails (then it exits non-zero)"))

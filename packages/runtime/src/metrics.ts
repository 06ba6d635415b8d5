/**
 * A node's metrics, served at `GET /metrics` in Prometheus's text format:
 * Effect's `Metric`s in a registry of this node's own (several nodes share
 * a process in tests). The histograms are written with the synchronous
 * `updateUnsafe` on every batch; what changes on every message (traffic
 * per peer) or every batch (the status's numbers) is kept in plain fields
 * and read when the metrics are (`Metric.registerUnsafe`): a registry
 * update for each was a few percent of a node's CPU a write.
 *
 * The runtime records what any hosted spec has: batches, their apply and
 * fsync time, proposals (client requests the reducer took), and traffic per
 * peer. What the protocol itself knows (a term, a role, a commit index)
 * comes from the spec's status declaration in the host contract, the same
 * fields `GET /v1/status` serves: each number becomes a gauge
 * `parley_status_<field>`, each boolean a 0 or 1, each text a gauge with
 * the text as its `value` label (only the current value's series kept), and
 * every change of a text field to a new non-null value is counted in
 * `parley_status_changes_total{field}`; for Raft, `field="leader"` is its
 * leader changes. The runtime names no field itself.
 */
import type { NodeId, StatusFields } from "@parley/core"
import { Context, Effect, Layer, Metric } from "effect"
import { PrometheusMetrics } from "effect/observability"
import { NodeConfig } from "./node-config.ts"

/** From 50 µs, doubling, to about 1.6 s: an in-memory step at the bottom, an fsync on a busy disk at the top. */
const secondsBuckets = Metric.exponentialBoundaries({ start: 0.00005, factor: 2, count: 16 })
const eventBuckets = Metric.exponentialBoundaries({ start: 1, factor: 2, count: 14 })

const snakeCase = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/[^A-Za-z0-9_]/g, "_").toLowerCase()

/** A peer's traffic so far. */
interface PeerTraffic {
  sentBytes: number
  receivedBytes: number
  sentMessages: number
  receivedMessages: number
}

export class NodeMetrics extends Context.Service<NodeMetrics, {
  /** One batch of the node loop: how many events, how many were client requests, and the seconds the reducer and the save took. */
  batch(events: number, proposals: number, applySeconds: number, fsyncSeconds: number): void
  /** The spec's status fields after a batch. */
  status(fields: StatusFields): void
  /** Frames handed to or taken from a peer's link. */
  messageSent(peer: NodeId): void
  messageReceived(peer: NodeId): void
  /** Bytes written to or read from a peer's connection. */
  sent(peer: NodeId, bytes: number): void
  received(peer: NodeId, bytes: number): void
  /** A connection to the peer port that did not prove the cluster secret. */
  refused(): void
  /** Every metric, in Prometheus's text exposition format. */
  prometheus(): string
}>()("@parley/runtime/NodeMetrics") {
  static readonly layer = Layer.effect(NodeMetrics, Effect.gen(function*() {
    const config = yield* NodeConfig
    const context = Context.make(Metric.MetricRegistry, new Map())
    const update = <I>(metric: Metric.Metric<I, unknown>, input: I): void => metric.updateUnsafe(input, context)

    update(Metric.gauge("parley_node_info", { description: "1, labelled with this node's id and the spec it runs", attributes: { node: config.self, spec: config.hosted.name } }), 1)
    const batches = Metric.histogram("parley_batch_events", { description: "Events the node loop took in one batch (one save each)", boundaries: eventBuckets })
    const apply = Metric.histogram("parley_apply_duration_seconds", { description: "Time the reducer took over one batch of events", boundaries: secondsBuckets })
    const fsync = Metric.histogram("parley_fsync_duration_seconds", { description: "Time one batch's durable state took to save, fsync included", boundaries: secondsBuckets })
    const proposals = Metric.counter("parley_proposals_total", { description: "Client requests the reducer took, forwarded ones included", incremental: true })
    const refusals = Metric.counter("parley_peer_refused_connections_total", { description: "Connections to the peer port that did not prove the cluster secret", incremental: true })
    const changes = Metric.counter("parley_status_changes_total", { description: "Changes of a text status field to a new value other than null", incremental: true })

    /** A series whose state is read from `get` when the metrics are, and never updated. */
    const polled = <Input, State>(metric: Metric.Metric<Input, State>, get: () => State): void => {
      Metric.registerUnsafe(metric, context, { get, update: () => {}, modify: () => {} })
    }
    /** A counter read from `count` when the metrics are. */
    const polledCounter = (name: string, description: string, attributes: Readonly<Record<string, string>>, count: () => number): void =>
      polled(Metric.counter(name, { description, incremental: true, attributes }), () => ({ count: count(), incremental: true }))
    const peers = new Map<NodeId, PeerTraffic>()
    const peer = (id: NodeId): PeerTraffic => {
      const known = peers.get(id)
      if (known !== undefined) return known
      const traffic: PeerTraffic = { sentBytes: 0, receivedBytes: 0, sentMessages: 0, receivedMessages: 0 }
      const attributes = { peer: id }
      polledCounter("parley_peer_sent_bytes_total", "Bytes written to the peer's connection", attributes, () => traffic.sentBytes)
      polledCounter("parley_peer_received_bytes_total", "Bytes read from the peer's connection", attributes, () => traffic.receivedBytes)
      polledCounter("parley_peer_sent_messages_total", "Frames sent to the peer: protocol messages, forwarded requests and their answers", attributes, () => traffic.sentMessages)
      polledCounter("parley_peer_received_messages_total", "Frames received from the peer", attributes, () => traffic.receivedMessages)
      peers.set(id, traffic)
      return traffic
    }

    /** The latest status; its numbers and booleans are read from it when the metrics are. */
    let latest: StatusFields = {}
    const polledGauges = new Set<string>()
    const pollGauge = (field: string, description: string): void => {
      if (polledGauges.has(field)) return
      polledGauges.add(field)
      polled(Metric.gauge(`parley_status_${snakeCase(field)}`, { description }), () => {
        const value = latest[field]
        return { value: typeof value === "number" ? value : value === true ? 1 : 0 }
      })
    }
    /** The last value of each text field, and the series that shows it. */
    const lastText = new Map<string, unknown>()
    const textSeries = new Map<string, Metric.Gauge<number>>()
    const recordText = (field: string, value: unknown): void => {
      if (lastText.get(field) === value) return
      lastText.set(field, value)
      const old = textSeries.get(field)
      if (old !== undefined) Metric.removeUnsafe(old, context)
      textSeries.delete(field)
      if (value === null || value === undefined) return
      const text = typeof value === "string" ? value : JSON.stringify(value)
      const series = Metric.gauge(`parley_status_${snakeCase(field)}`, {
        description: `1, labelled with the spec's status field ${field}`,
        attributes: { value: text }
      })
      textSeries.set(field, series)
      update(series, 1)
      update(Metric.withAttributes(changes, { field }), 1)
    }
    const recordField = (field: string, value: unknown): void => {
      if (typeof value === "number") return pollGauge(field, `The spec's status field ${field}`)
      if (typeof value === "boolean") return pollGauge(field, `The spec's status field ${field}, 1 for true`)
      recordText(field, value)
    }

    return NodeMetrics.of({
      batch: (events, proposed, applySeconds, fsyncSeconds) => {
        update(batches, events)
        update(apply, applySeconds)
        update(fsync, fsyncSeconds)
        if (proposed > 0) update(proposals, proposed)
      },
      status: (fields) => {
        latest = fields
        for (const field in fields) recordField(field, fields[field])
      },
      messageSent: (id) => void peer(id).sentMessages++,
      messageReceived: (id) => void peer(id).receivedMessages++,
      sent: (id, bytes) => void (peer(id).sentBytes += bytes),
      received: (id, bytes) => void (peer(id).receivedBytes += bytes),
      refused: () => update(refusals, 1),
      prometheus: () => PrometheusMetrics.formatUnsafe(context)
    })
  }))
}

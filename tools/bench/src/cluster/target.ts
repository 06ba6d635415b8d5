/** A cluster under benchmark, whichever system it is: where to write, who leads, how to crash and revive a member. */
import { fetch } from "undici"
import type { Dispatcher, RequestInit, Response } from "undici"

export interface Member {
  readonly id: string
  /** Base URL of the member's client API. */
  readonly url: string
  /** For a member that serves HTTPS: what trusts its certificate (Node's global fetch takes no CA of its own). */
  readonly dispatcher?: Dispatcher
}

/** A request to `path` under the member's base URL, over HTTPS with the member's trust where it has one. */
export const memberFetch = (member: Member, path: string, init: RequestInit = {}): Promise<Response> =>
  fetch(`${member.url}${path}`, member.dispatcher === undefined ? init : { ...init, dispatcher: member.dispatcher })

export interface ClusterTarget {
  readonly system: string
  readonly members: ReadonlyArray<Member>
  /**
   * One write of `value` to `key` through `member`; resolves true when
   * acknowledged, false on an error answer, and rejects when `timeoutMs`
   * passes first (the request is abandoned, as a client with a deadline does).
   */
  put(member: Member, key: string, value: string, timeoutMs: number): Promise<boolean>
  leader(): Promise<Member>
  /** kill -9 */
  kill(member: Member): Promise<void>
  restart(member: Member): Promise<void>
  /** Each member's resident memory in MiB, where the bench can read it. */
  rssMiB?(): Promise<ReadonlyArray<number>>
  /** Each member's CPU time so far (user and system), in milliseconds, where the bench can read it. */
  cpuMs?(): Promise<ReadonlyArray<number>>
  /** Each member's process id, undefined for one that is down. */
  pids?(): Promise<ReadonlyArray<number | undefined>>
  /** A linearizable read of `key` through `member`; resolves true when it answered with the value. */
  read?(member: Member, key: string): Promise<boolean>
  /** The HTTP request `read` sends, for a load generator other than Node's fetch (wrk). */
  readRequest?(key: string): HttpRequest
  /** Each member's durable state on disk in bytes (parley: its sqlite file and WAL; etcd: its data directory). */
  diskBytes?(): Promise<ReadonlyArray<number>>
  /** The time to read a member's durable state whole, as its restart does before it serves (parley: the sqlite rows, parsed). */
  durableReadMs?(member: Member): Promise<number>
  stop(): Promise<void>
}

/** One HTTP request a load generator repeats against a member: method, path under its base URL, JSON body. */
export interface HttpRequest {
  readonly method: "GET" | "PUT" | "POST"
  readonly path: string
  readonly body?: string
}

/**
 * The outgoing half of a TCP peer link (tcp.ts): one TLS 1.3 connection to
 * one peer, proving the cluster's pre-shared key, that queues frames between
 * flushes and redials with backoff whenever it drops.
 */
import type { NodeId } from "@parley/core"
import * as tls from "node:tls"

/** TLS 1.3 only: its PSK handshake mixes in an ephemeral key exchange, so a recorded link stays sealed if the secret later leaks. */
export const tlsVersion = { minVersion: "TLSv1.3", maxVersion: "TLSv1.3" } as const

/** Bytes a peer may leave unread before further messages to it are dropped. */
const maxUnsentBytes = 8 * 1024 * 1024

interface Credentials {
  readonly identity: NodeId
  readonly key: Buffer
}

/** The outgoing connection to one peer: redialled with backoff, from 50 ms doubling to 1 s, whenever it drops. */
export class Dialer {
  private socket: tls.TLSSocket | undefined
  private connected = false
  private closed = false
  private backoffMs = 50
  private retry: ReturnType<typeof setTimeout> | undefined
  private pending: Array<Buffer> = []
  private refusedAlready = false

  constructor(
    private readonly address: { readonly host: string; readonly port: number },
    private readonly credentials: Credentials,
    private readonly wrote: (bytes: number) => void,
    /** Called once for each run of failed handshakes (not for a peer that is down): a key or an identity the peer does not take. */
    private readonly refused: (reason: string) => void
  ) {
    this.dial()
  }

  queue(frame: Buffer): void {
    if (this.connected) this.pending.push(frame)
  }

  flush(): void {
    if (this.pending.length === 0) return
    const socket = this.socket
    if (this.connected && socket !== undefined && socket.writableLength < maxUnsentBytes) {
      const batch = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending)
      socket.write(batch)
      this.wrote(batch.length)
    }
    this.pending = []
  }

  close(): void {
    this.closed = true
    clearTimeout(this.retry)
    this.socket?.destroy()
  }

  /** Dials at once if the link is down and waiting out its backoff. */
  redialNow(): void {
    if (this.retry === undefined || this.closed) return
    clearTimeout(this.retry)
    this.retry = undefined
    this.backoffMs = 50
    this.dial()
  }

  private refusedOnce(reason: string): void {
    if (!this.refusedAlready) this.refused(reason)
    this.refusedAlready = true
  }

  private dial(): void {
    const { identity, key } = this.credentials
    const socket = tls.connect({
      host: this.address.host,
      port: this.address.port,
      ...tlsVersion,
      pskCallback: () => ({ identity, psk: key }),
      // The peer is authenticated by the key, not by a name on a certificate.
      checkServerIdentity: () => undefined
    })
    this.socket = socket
    socket.setNoDelay(true)
    socket.on("secureConnect", () => {
      // A server that shows a certificate has not proved the key; only a PSK handshake counts.
      if (Object.keys(socket.getPeerCertificate()).length > 0) {
        this.refusedOnce("the peer showed a certificate instead of proving the cluster secret")
        return void socket.destroy()
      }
      this.connected = true
      this.refusedAlready = false
      this.backoffMs = 50
    })
    socket.on("data", () => socket.destroy())
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code?.startsWith("ERR_SSL") === true) {
        this.refusedOnce(`TLS handshake failed (${error.code}): do both nodes hold the same cluster secret, and is this node in the peer's cluster file?`)
      }
      socket.destroy()
    })
    socket.on("close", () => {
      this.connected = false
      this.pending = []
      if (this.closed) return
      this.retry = setTimeout(() => {
        this.retry = undefined
        this.dial()
      }, this.backoffMs)
      this.backoffMs = Math.min(this.backoffMs * 2, 1000)
    })
  }
}

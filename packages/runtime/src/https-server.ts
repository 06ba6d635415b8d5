/**
 * The client API's HTTPS server. A TLS connection starts with a handshake
 * record (byte 0x16); anything else on the port is most likely plain HTTP
 * from a client that forgot the scheme, so it gets a plain-HTTP 400 that
 * says so, as Go's servers do, instead of a connection closed mid-handshake.
 */
import { Redacted } from "effect"
import type * as http from "node:http"
import * as https from "node:https"
import type * as net from "node:net"
import type { ServerTlsFiles } from "./client-tls.ts"

const handshakeRecord = 0x16
/** How long a connection may stay silent before its first byte says what it speaks. */
const firstByteMs = 10_000

const plainHttpRefusal = (address: string): string => {
  const text = JSON.stringify({ error: `this node serves its client API over HTTPS: use https://${address}, trusting the CA the cluster file's clientTls names (by default tls/ca.crt beside it)` })
  return `HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`
}

export const createHttpsServer = (
  tls: ServerTlsFiles,
  address: string,
  handle: (req: http.IncomingMessage, res: http.ServerResponse) => void,
  refused: (peer: string, reason: string) => void
): https.Server => {
  const server = https.createServer({ keepAliveTimeout: 60_000, cert: tls.cert, key: Redacted.value(tls.key), minVersion: "TLSv1.2" }, handle)
  // The TLS layer's own listener takes the socket only once its first byte shows a handshake; the byte is put back for it.
  const handshake = server.listeners("connection")
  server.removeAllListeners("connection")
  server.on("connection", (socket: net.Socket) => {
    socket.setTimeout(firstByteMs, () => socket.destroy())
    socket.once("readable", () => {
      const first: Buffer | null = socket.read(1)
      if (first === null) return void socket.destroy()
      socket.setTimeout(0)
      socket.unshift(first)
      if (first[0] === handshakeRecord) {
        for (const listener of handshake) Reflect.apply(listener, server, [socket])
        return
      }
      refused(`${socket.remoteAddress}:${socket.remotePort}`, "plain HTTP")
      socket.on("error", () => socket.destroy())
      socket.resume()
      socket.end(plainHttpRefusal(address))
    })
  })
  server.on("tlsClientError", (error: NodeJS.ErrnoException, socket: net.Socket) => refused(`${socket.remoteAddress}:${socket.remotePort}`, error.code ?? error.message))
  return server
}

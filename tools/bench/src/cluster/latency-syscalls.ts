/**
 * How many sync and write calls a member makes per acknowledged write:
 * `strace -f -c` attached to its process while a load phase runs, its
 * summary read back when it detaches. strace slows what it traces, so the
 * counts are the figure here, not the rate of that phase. Needs strace on
 * the PATH and the right to trace the process (root, or ptrace_scope 0).
 */
import { execFileSync, spawn } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

export const straceOnPath = (): boolean => {
  try {
    execFileSync("strace", ["-V"], { stdio: "ignore" })
    return true
  } catch {
    return false
  }
}

/** The system calls counted: the syncs (SQLite's fsync, etcd's fdatasync) and the writes (WAL pages, event log, sockets). */
const traced = ["fsync", "fdatasync", "pwrite64", "write", "writev"] as const
export type SyscallCounts = Readonly<Record<(typeof traced)[number], number>>

/** strace -c's table: one row per call, `% time  seconds  usecs/call  calls  [errors]  syscall`. */
const parseSummary = (text: string): SyscallCounts => {
  const counts: Record<string, number> = Object.fromEntries(traced.map((name) => [name, 0]))
  for (const line of text.split("\n")) {
    const fields = line.trim().split(/\s+/)
    const name = fields.at(-1)
    if (name !== undefined && name in counts && /^\d+$/.test(fields[3] ?? "")) counts[name] = Number(fields[3])
  }
  return counts as SyscallCounts
}

/** Runs `phase` with each pid traced; gives each one's counts (undefined for a pid it could not trace). */
export const countSyscalls = async <A>(
  pids: ReadonlyArray<number | undefined>,
  phase: () => Promise<A>
): Promise<{ readonly result: A; readonly counts: ReadonlyArray<SyscallCounts | undefined> }> => {
  const dir = mkdtempSync(join(tmpdir(), "parley-strace-"))
  try {
    const tracers = pids.map((pid, i) =>
      pid === undefined ? undefined : spawn("strace", ["-f", "-c", "-e", `trace=${traced.join(",")}`, "-o", join(dir, `${i}.txt`), "-p", String(pid)], { stdio: "ignore" })
    )
    // strace attaches to every thread before it counts: give it a moment.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const result = await phase()
    const counts = await Promise.all(tracers.map((tracer, i) =>
      tracer === undefined ? undefined : new Promise<SyscallCounts | undefined>((resolve) => {
        tracer.once("exit", () => {
          try {
            resolve(parseSummary(readFileSync(join(dir, `${i}.txt`), "utf8")))
          } catch {
            resolve(undefined)
          }
        })
        tracer.kill("SIGINT")
      })
    ))
    return { result, counts }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

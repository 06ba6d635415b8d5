/** What a bench reads of a process and its files on Linux: resident memory from /proc, bytes on disk. */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { join } from "node:path"

/** A process's resident set in MiB, from /proc; undefined where there is none (the process is gone). */
export const rssMiB = (pid: number): number | undefined => {
  try {
    const line = readFileSync(`/proc/${pid}/status`, "utf8").split("\n").find((l) => l.startsWith("VmRSS:"))
    return line === undefined ? undefined : Math.round(Number(line.replace(/\D+/g, "")) / 1024)
  } catch {
    return undefined
  }
}

/** The CPU time a process has used, user and system, in seconds, from /proc; undefined where there is none. */
export const cpuSeconds = (pid: number): number | undefined => {
  try {
    // Fields after the command name (which may hold spaces) start at the state, field 3; utime and stime are fields 14 and 15, in clock ticks of 1/100 s.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return undefined
  }
}

/** The bytes of a file, or of every file under a directory; 0 for what does not exist. */
export const diskBytes = (path: string): number => {
  if (!existsSync(path)) return 0
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.size
  return readdirSync(path).reduce((total, name) => total + diskBytes(join(path, name)), 0)
}

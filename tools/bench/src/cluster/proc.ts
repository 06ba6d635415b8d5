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

/** The CPU time (user and system) a process has spent so far, in ms, from /proc; undefined when it is gone. */
export const cpuMs = (pid: number): number | undefined => {
  try {
    // The fields after the command's name, which is in parentheses and may hold spaces: utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /s, "").split(" ")
    return (Number(fields[11]) + Number(fields[12])) * 10
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

/**
 * Scenario files in the format of etcd's datadriven package, as raft's
 * tests use it: `#` lines are comments; each block is a command line, a
 * `----` line, and the exact output expected, ended by a blank line or the
 * end of the file. A command with no output expects `ok`. Running a file
 * yields the file as it would be with the actual outputs, so a test compares
 * the two texts and a rewrite writes the second back.
 */
export interface Mismatch {
  readonly line: number
  readonly command: string
  readonly expected: string
  readonly actual: string
}

export const runScenario = (text: string, run: (command: string) => ReadonlyArray<string>) => {
  const lines = text.replace(/\n$/, "").split("\n")
  const written: Array<string> = []
  const mismatches: Array<Mismatch> = []
  let i = 0
  while (i < lines.length) {
    const command = lines[i]!
    const line = ++i
    written.push(command)
    if (command.trim() === "" || command.startsWith("#")) continue
    if (lines[i] !== "----") throw new Error(`line ${i + 1}: expected "----" after the command "${command}"`)
    written.push("----")
    i++
    const expectedLines: Array<string> = []
    while (i < lines.length && lines[i]!.trim() !== "") expectedLines.push(lines[i++]!)
    let actualLines: ReadonlyArray<string>
    try {
      actualLines = run(command)
    } catch (error) {
      throw new Error(`line ${line}: ${command}: ${error instanceof Error ? error.message : String(error)}`)
    }
    const actual = actualLines.length === 0 ? "ok" : actualLines.join("\n")
    const expected = expectedLines.join("\n")
    if (actual !== expected) mismatches.push({ line, command, expected, actual })
    written.push(actual)
  }
  return { actualText: `${written.join("\n")}\n`, mismatches }
}

export const describeMismatch = (file: string, m: Mismatch): string =>
  `${file}:${m.line}: ${m.command}\n--- expected\n${m.expected}\n+++ actual\n${m.actual}`

/**
 * Reducer scenarios in the format of etcd's datadriven package, as the
 * specs' tests write them: `#` lines are comments; each block is a command
 * line, a `----` line, and the exact output expected, ended by a blank line
 * or the end of the file. A command with no output expects `ok`. Running a
 * file yields the file as it would be with the actual outputs, so a test
 * compares the two texts and a rewrite (etcd's `-rewrite`) writes the
 * second back.
 */

export interface ScenarioMismatch {
  /** 1-based line of the command in the file. */
  readonly line: number
  readonly command: string
  readonly expected: string
  readonly actual: string
}

export interface ScenarioRun {
  /** The file with every expected output replaced by the actual one. */
  readonly actualText: string
  readonly mismatches: ReadonlyArray<ScenarioMismatch>
}

const separator = "----"

/** Runs every command of `text` through `run`, which answers with the output's lines. */
export const runScenario = (text: string, run: (command: string) => ReadonlyArray<string>): ScenarioRun => {
  const lines = text.replace(/\n$/, "").split("\n")
  const written: Array<string> = []
  const mismatches: Array<ScenarioMismatch> = []
  let i = 0
  while (i < lines.length) {
    const command = lines[i]!
    const commandLine = ++i
    written.push(command)
    if (command.trim() === "" || command.startsWith("#")) continue
    if (lines[i] !== separator) throw new Error(`line ${i + 1}: expected "${separator}" after the command "${command}"`)
    written.push(separator)
    i++
    const expectedLines: Array<string> = []
    while (i < lines.length && lines[i]!.trim() !== "") expectedLines.push(lines[i++]!)
    const actualLines = runCommand(run, command, commandLine)
    const expected = expectedLines.join("\n")
    const actual = actualLines.length === 0 ? "ok" : actualLines.join("\n")
    if (actual !== expected) mismatches.push({ line: commandLine, command, expected, actual })
    written.push(actual)
  }
  return { actualText: `${written.join("\n")}\n`, mismatches }
}

const runCommand = (run: (command: string) => ReadonlyArray<string>, command: string, line: number): ReadonlyArray<string> => {
  try {
    return run(command)
  } catch (error) {
    throw new Error(`line ${line}: ${command}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** A mismatch as a person reads it: where, which command, and both outputs. */
export const describeMismatch = (file: string, mismatch: ScenarioMismatch): string =>
  `${file}:${mismatch.line}: ${mismatch.command}\n--- expected\n${mismatch.expected}\n+++ actual\n${mismatch.actual}`

/**
 * Scenario files in the format of etcd's datadriven package: `#` lines are
 * comments; each block is a command line, a `----` line, and the exact
 * output expected, ended by a blank line or the end of the file. A command
 * with no output expects `ok`. Running a file yields the file as it would be
 * with the actual outputs, so a test compares the two texts and a rewrite
 * writes the second back.
 */
import { Interpreter } from "./commands.ts"

export interface Mismatch {
  /** 1-based line of the command in the file. */
  readonly line: number
  readonly command: string
  readonly expected: string
  readonly actual: string
}

export interface ScenarioRun {
  /** The file with every expected output replaced by the actual one. */
  readonly actualText: string
  readonly mismatches: ReadonlyArray<Mismatch>
}

const separator = "----"

export const runScenario = (text: string): ScenarioRun => {
  const lines = text.replace(/\n$/, "").split("\n")
  const written: Array<string> = []
  const mismatches: Array<Mismatch> = []
  const interpreter = new Interpreter()
  let i = 0
  while (i < lines.length) {
    const command = lines[i]!
    const commandLine = i + 1
    written.push(command)
    i++
    if (command.trim() === "" || command.startsWith("#")) continue
    if (lines[i] !== separator) throw new Error(`line ${i + 1}: expected "${separator}" after the command "${command}"`)
    written.push(separator)
    i++
    const expectedLines: Array<string> = []
    while (i < lines.length && lines[i]!.trim() !== "") expectedLines.push(lines[i++]!)
    const actualLines = runCommand(interpreter, command, commandLine)
    const expected = expectedLines.join("\n")
    const actual = actualLines.length === 0 ? "ok" : actualLines.join("\n")
    if (actual !== expected) mismatches.push({ line: commandLine, command, expected, actual })
    written.push(actual)
  }
  return { actualText: `${written.join("\n")}\n`, mismatches }
}

const runCommand = (interpreter: Interpreter, command: string, line: number): ReadonlyArray<string> => {
  try {
    return interpreter.run(command)
  } catch (error) {
    throw new Error(`line ${line}: ${command}: ${error instanceof Error ? error.message : String(error)}`)
  }
}

/** A mismatch as a person reads it: where, which command, and both outputs. */
export const describeMismatch = (file: string, mismatch: Mismatch): string =>
  `${file}:${mismatch.line}: ${mismatch.command}\n--- expected\n${mismatch.expected}\n+++ actual\n${mismatch.actual}`

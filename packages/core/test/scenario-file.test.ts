import { describe, expect, it } from "vitest"
import { runScenario } from "../src/scenario-file.ts"

/** `say` echoes its words one per line; `quiet` says nothing; `fail` throws. */
const echo = (command: string): ReadonlyArray<string> => {
  if (command === "fail") throw new Error("no such command")
  return command.split(" ").slice(1)
}

describe("scenario files", () => {
  it("compares each command's output, keeps comments and blank lines, and reads no output as ok", () => {
    const text = "# a comment\nsay a b\n----\na\nb\n\nquiet\n----\nok\n\nsay c\n----\nd\n"
    const run = runScenario(text, echo)
    expect(run.mismatches).toEqual([{ line: 11, command: "say c", expected: "d", actual: "c" }])
    expect(run.actualText).toBe("# a comment\nsay a b\n----\na\nb\n\nquiet\n----\nok\n\nsay c\n----\nc\n")
  })

  it("names the line of a command without its separator, and of a command that throws", () => {
    expect(() => runScenario("say a\nb\n", echo)).toThrow(/line 2: expected "----" after the command "say a"/)
    expect(() => runScenario("# x\nfail\n----\nok\n", echo)).toThrow(/line 2: fail: no such command/)
  })
})

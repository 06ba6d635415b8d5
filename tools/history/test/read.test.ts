import { Result } from "effect"
import { describe, expect, it } from "vitest"
import { checkHistory, findModel, formatOf, pairOperations, readEdn, readRecords, renderHistoryHtml } from "../src/index.ts"
import type { HistoryFormat } from "../src/index.ts"

const model = (name: string) => findModel(name)!

/** The history's operations as `modelName` reads them, or the message of the first problem. */
const read = (text: string, modelName = "cas-register", format: HistoryFormat = "jsonl") =>
  Result.flatMap(readRecords(text, format), (records) => pairOperations(model(modelName), records))

const failure = (result: Result.Result<unknown, string>): string => (Result.isFailure(result) ? result.failure : "no failure")

const jsonl = (...records: ReadonlyArray<object>) => records.map((record) => JSON.stringify(record)).join("\n")

describe("reading JSON lines", () => {
  it("pairs invocations with completions, leaves fail out and keeps info and unanswered ones pending", () => {
    const text = jsonl(
      { process: 0, type: "invoke", f: "write", value: 3 },
      { process: 1, type: "invoke", f: "read", value: null },
      { process: 0, type: "ok", f: "write", value: 3 },
      { process: 1, type: "ok", f: "read", value: 3 },
      { process: 2, type: "invoke", f: "cas", value: [1, 2] },
      { process: 2, type: "fail", f: "cas", value: [1, 2] },
      { process: 3, type: "invoke", f: "write", value: 4 },
      { process: 3, type: "info", f: "write", value: 4 },
      { process: 4, type: "invoke", f: "write", value: 5 }
    )
    const history = read(text)
    expect(Result.isSuccess(history)).toBe(true)
    if (Result.isFailure(history)) return
    expect(history.success.counts).toEqual({ ok: 2, info: 1, open: 1, failed: 1, skipped: 0 })
    expect(history.success.operations.map((operation) => [operation.line, operation.completionLine, operation.status])).toEqual([
      [1, 3, "ok"], [2, 4, "ok"], [7, 8, "info"], [9, undefined, "open"]
    ])
  })

  it("names the line and the field of a record that does not fit", () => {
    expect(failure(read(`{"process":0,"type":"invoke","f":"read"}\n{"process":0,"type":"okay","f":"read"}`))).toBe(
      'line 2: field "type": expected "invoke" | "ok" | "fail" | "info", got "okay"'
    )
    expect(failure(read(`{"process":0,"type":"invoke"}`))).toMatch(/^line 1: field "f": missing key/)
    expect(failure(read(`\n{"process":0,"type":"invoke","f":"read"`))).toMatch(/^line 2: not JSON/)
  })

  it("names both lines of an operation whose values the model cannot read", () => {
    const text = jsonl({ process: 7, type: "invoke", f: "cas", value: 5 }, { process: 7, type: "ok", f: "cas", value: 5 })
    expect(failure(read(text))).toBe(`lines 1-2 (process 7, "cas"): a compare-and-set's [from, to]: expected array, got 5`)
    expect(failure(read(text, "register"))).toBe(`lines 1-2 (process 7, "cas"): the register model has no operation "cas"; it has "read", "write"`)
  })

  it("refuses completions without invocations and invocations over open ones", () => {
    expect(failure(read(jsonl({ process: 1, type: "ok", f: "read", value: 1 })))).toBe("line 1: process 1 completes (ok) an operation it never invoked")
    expect(failure(read(jsonl({ process: 1, type: "invoke", f: "read" }, { process: 1, type: "invoke", f: "read" })))).toBe(
      "line 2: process 1 invokes again while its operation from line 1 is still open"
    )
    expect(failure(read(jsonl({ process: 1, type: "invoke", f: "read" }, { process: 1, type: "ok", f: "write", value: 1 })))).toBe(
      'line 2: process 1 completes "write" but invoked "read" on line 1'
    )
  })

  it("reads a map's key from the record or from a [key value] tuple", () => {
    const keyed = jsonl(
      { process: 0, type: "invoke", f: "write", key: "x", value: 1 },
      { process: 0, type: "ok", f: "write", key: "x", value: 1 },
      { process: 1, type: "invoke", f: "read", value: ["y", null] },
      { process: 1, type: "ok", f: "read", value: ["y", 1] }
    )
    const history = read(keyed, "kv")
    if (Result.isFailure(history)) throw new Error(history.failure)
    expect(history.success.operations.map((operation) => operation.input)).toEqual([
      { key: "x", op: { f: "write", value: 1 } },
      { key: "y", op: { f: "read" } }
    ])
    const verdict = checkHistory(model("kv"), history.success, {}).verdict
    expect(verdict).toMatchObject({ verdict: "not-linearizable", partition: "y", blocked: { line: 3, output: "1" } })
  })
})

describe("reading Jepsen's EDN", () => {
  const history = `{:type :invoke, :f :write, :value 3, :process 0, :time 1, :index 0}
{:type :invoke, :f :read, :value nil, :process 1, :time 2, :index 1}
{:type :info, :f :start-partition, :value nil, :process :nemesis, :time 3, :index 2}
#jepsen.history.Op{:index 3, :time 4, :type :ok, :process 0, :f :write, :value 3}
{:type :ok, :f :read, :value 3, :process 1, :time 5, :index 4} ; the new value
{:type :invoke, :f :cas, :value [3 4], :process 2, :time 6, :index 5, :error "timeout \\"x\\""}
{:type :info, :f :cas, :value [3 4], :process 2, :time 7, :index 6}`

  it("reads keywords, nil, vectors, tagged ops and comments, skipping the nemesis", () => {
    const operations = read(history, "cas-register", "edn")
    if (Result.isFailure(operations)) throw new Error(operations.failure)
    expect(operations.success.counts).toEqual({ ok: 2, info: 1, open: 0, failed: 0, skipped: 1 })
    expect(operations.success.operations.map((operation) => operation.input)).toEqual([
      { f: "write", value: 3 }, { f: "read" }, { f: "cas", from: 3, to: 4 }
    ])
    expect(checkHistory(model("cas-register"), operations.success, {}).verdict.verdict).toBe("linearizable")
  })

  it("reads a file that is one vector of ops, each at its own line", () => {
    const forms = readEdn("[{:process 0 :type :invoke :f :read}\n {:process 0 :type :ok :f :read :value #{}}]")
    expect(forms).toEqual(Result.succeed([
      { line: 1, value: { process: 0, type: "invoke", f: "read" } },
      { line: 2, value: { process: 0, type: "ok", f: "read", value: [] } }
    ]))
  })

  it("names the line of a syntax error", () => {
    expect(readEdn('{:a 1}\n{:b "open')).toEqual(Result.fail("line 2: the string opened on line 2 is never closed"))
    expect(readEdn("{:a 1}\n\n{:b [1 2}")).toEqual(Result.fail('line 3: unexpected "}"'))
    expect(readEdn("{:a}")).toEqual(Result.fail("line 1: a map with a key and no value"))
    expect(failure(read("{:process 0 :type :invoke :f 3}", "register", "edn"))).toBe('line 1: field "f": expected string, got 3')
  })

  it("tells the formats apart by name, then by the first character", () => {
    expect(formatOf("h.edn", "")).toBe("edn")
    expect(formatOf("h.jsonl", "")).toBe("jsonl")
    expect(formatOf("history", ' {"process":0}')).toBe("jsonl")
    expect(formatOf("history", "{:process 0}")).toBe("edn")
  })
})

describe("the HTML view", () => {
  it("draws the partition at fault with the prefix numbered and the blocked operation marked", () => {
    const text = jsonl(
      { process: 0, type: "invoke", f: "write", value: 1 },
      { process: 0, type: "ok", f: "write", value: 1 },
      { process: 1, type: "invoke", f: "write", value: "<2>" },
      { process: 1, type: "ok", f: "write", value: "<2>" },
      { process: 2, type: "invoke", f: "read", value: null },
      { process: 2, type: "ok", f: "read", value: 1 }
    )
    const history = read(text, "register")
    if (Result.isFailure(history)) throw new Error(history.failure)
    const checked = checkHistory(model("register"), history.success, {})
    const page = renderHistoryHtml(model("register"), checked, "h.jsonl")
    expect(page).toContain('<g class="prefix"><title>process 0, lines 1-2: write 1 → &quot;ok&quot;\nlinearized #1; the model holds 1 after it</title>')
    expect(page).toContain("#2 write &quot;&lt;2&gt;&quot;")
    expect(page).toMatch(/<g class="blocked" id="blocked"><title>process 2, lines 5-6: read → 1\ncannot be placed/)
    expect(page).not.toMatch(/<script src|<link/)
  })
})

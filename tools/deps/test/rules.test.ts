/**
 * Each rule catches the import it forbids, planted in a throwaway tree, and
 * lets through what the design allows (a spec's tests using the checker, the
 * cli importing everything, specs and the runtime using kv).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { describeViolation, findViolations } from "../src/cruise.ts"
import { type Fixture, makeFixture } from "./fixture.ts"

const allowed = {
  "packages/core/src/index.ts": `export const id = (x: number): number => x\n`,
  "packages/kv/src/index.ts": `import { id } from "@parley/core"\nexport const get = id\n`,
  "specs/good/src/index.ts": `import { id } from "@parley/core"\nimport { get } from "@parley/kv"\nexport const step = (x: number) => get(id(x))\n`,
  "specs/good/test/good.test.ts": `import { check } from "@parley/checker"\nimport { step } from "../src/index.ts"\ncheck(step(1))\n`,
  "tools/checker/src/index.ts": `import { id } from "@parley/core"\nexport const check = id\n`,
  "packages/runtime/src/index.ts": `import { id } from "@parley/core"\nimport { get } from "@parley/kv"\nexport const host = (x: number) => get(id(x))\n`,
  "packages/runtime/test/cluster.test.ts": `import { step } from "@parley/good"\nimport { host } from "../src/index.ts"\nhost(step(1))\n`,
  "packages/cli/src/index.ts": `import { check } from "@parley/checker"\nimport { step } from "@parley/good"\nimport { host } from "@parley/runtime"\nimport { readFileSync } from "node:fs"\nexport const run = () => host(check(step(readFileSync("x").length)))\n`
}

/** Each planted import, and the line the check must print for it. */
const planted: ReadonlyArray<{ readonly what: string; readonly files: Readonly<Record<string, string>>; readonly reported: ReadonlyArray<string> }> = [
  {
    what: "a spec importing the checker",
    files: { "specs/bad/src/index.ts": `import { check } from "@parley/checker"\nexport const step = check\n` },
    reported: [`spec-source-imports-no-checker: specs/bad/src/index.ts imports "@parley/checker" (tools/checker/src/index.ts)`]
  },
  {
    what: "a runtime module importing a spec",
    files: { "packages/runtime/src/hosted.ts": `import { step } from "@parley/good"\nexport const hosted = step\n` },
    reported: [`runtime-imports-only-core-and-kv: packages/runtime/src/hosted.ts imports "@parley/good" (specs/good/src/index.ts)`]
  },
  {
    what: "a cycle of two modules",
    files: {
      "packages/runtime/src/a.ts": `import type { B } from "./b.ts"\nexport type A = { b?: B }\nexport const callA = 1\n`,
      "packages/runtime/src/b.ts": `import { callA } from "./a.ts"\nexport type B = number\nexport const callB = callA\n`
    },
    // dependency-cruiser reports a cycle once, at the first module on it.
    reported: [
      `no-circular: packages/runtime/src/a.ts imports "./b.ts" (packages/runtime/src/b.ts), cycle packages/runtime/src/a.ts -> packages/runtime/src/b.ts -> packages/runtime/src/a.ts`
    ]
  },
  {
    what: "core importing node:fs",
    files: { "packages/core/src/io.ts": `import { readFileSync } from "node:fs"\nexport const read = () => readFileSync("x")\n` },
    reported: [`core-and-specs-do-no-io: packages/core/src/io.ts imports "node:fs" (fs)`]
  },
  {
    what: "a spec starting a worker",
    files: { "specs/bad/src/worker.ts": `import { Worker } from "node:worker_threads"\nexport const start = () => new Worker("x")\n` },
    reported: [`core-and-specs-do-no-io: specs/bad/src/worker.ts imports "node:worker_threads" (worker_threads)`]
  },
  {
    what: "a spec importing another spec",
    files: { "specs/bad/src/reuse.ts": `import { step } from "@parley/good"\nexport const reuse = step\n` },
    reported: [`spec-imports-only-core-and-kv: specs/bad/src/reuse.ts imports "@parley/good" (specs/good/src/index.ts)`]
  },
  {
    what: "a spec's test importing the runtime",
    files: { "specs/good/test/hosted.test.ts": `import { host } from "@parley/runtime"\nhost(1)\n` },
    reported: [`spec-imports-only-core-and-kv: specs/good/test/hosted.test.ts imports "@parley/runtime" (packages/runtime/src/index.ts)`]
  },
  {
    what: "a runtime test importing the checker",
    files: {
      "packages/runtime/test/hosted.test.ts": `import { step } from "@parley/good"\nimport { check } from "@parley/checker"\ncheck(step(1))\n`
    },
    reported: [`runtime-tests-host-only-specs: packages/runtime/test/hosted.test.ts imports "@parley/checker" (tools/checker/src/index.ts)`]
  },
  {
    what: "the checker importing a spec",
    files: { "tools/checker/src/spec.ts": `import { step } from "@parley/good"\nexport const known = step\n` },
    reported: [`checker-imports-only-core: tools/checker/src/spec.ts imports "@parley/good" (specs/good/src/index.ts)`]
  },
  {
    what: "kv importing the checker",
    files: { "packages/kv/src/checked.ts": `import { check } from "@parley/checker"\nexport const checked = check\n` },
    reported: [`kv-imports-only-core: packages/kv/src/checked.ts imports "@parley/checker" (tools/checker/src/index.ts)`]
  },
  {
    what: "core importing kv",
    files: { "packages/core/src/store.ts": `import { get } from "@parley/kv"\nexport const store = get\n` },
    reported: [`core-imports-no-workspace: packages/core/src/store.ts imports "@parley/kv" (packages/kv/src/index.ts)`]
  },
  {
    what: "trace importing the runtime",
    files: { "tools/trace/src/index.ts": `import { host } from "@parley/runtime"\nexport const show = host\n` },
    reported: [`trace-imports-only-core: tools/trace/src/index.ts imports "@parley/runtime" (packages/runtime/src/index.ts)`]
  },
  {
    what: "a relative path into another workspace",
    files: { "tools/checker/src/deep.ts": `import { id } from "../../../packages/core/src/index.ts"\nexport const deep = id\n` },
    reported: [`workspaces-meet-by-package-name: tools/checker/src/deep.ts imports "../../../packages/core/src/index.ts" (packages/core/src/index.ts)`]
  },
  {
    what: "an import that resolves nowhere",
    files: { "packages/runtime/src/missing.ts": `import { gone } from "@parley/missing"\nexport const missing = gone\n` },
    reported: [`imports-resolve: packages/runtime/src/missing.ts imports "@parley/missing"`]
  }
]

describe("the dependency rules on a tree with planted imports", () => {
  let fixture: Fixture
  let reported: ReadonlyArray<string>

  beforeAll(async () => {
    fixture = makeFixture(Object.assign({}, allowed, ...planted.map((plant) => plant.files)))
    reported = (await findViolations(fixture.root)).map(describeViolation)
  })
  afterAll(() => fixture.remove())

  it.each(planted)("reports $what", ({ reported: expected }) => {
    for (const line of expected) expect(reported).toContain(line)
  })

  it("reports nothing the design allows", () => {
    expect([...reported].sort()).toEqual(planted.flatMap((plant) => plant.reported).sort())
  })
})

describe("the dependency rules on a tree that keeps them", () => {
  it("report nothing, with or without packages/kv", async () => {
    const withoutKv = Object.fromEntries(Object.entries(allowed).filter(([path]) => !path.includes("kv")).map(([path, text]) => [path, text.replace(/.*@parley\/kv.*\n/, "").replaceAll("get(", "(")]))
    for (const files of [allowed, withoutKv]) {
      const fixture = makeFixture(files)
      try {
        expect((await findViolations(fixture.root)).map(describeViolation)).toEqual([])
      } finally {
        fixture.remove()
      }
    }
  })
})

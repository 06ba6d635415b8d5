import { describeClientApi } from "@parley/runtime"
import { describe, expect, it } from "vitest"
import { hostedSpecs } from "../src/hosted.ts"

/** A JSON Schema as far as the test reads it. */
interface JsonSchema {
  readonly $ref?: string
  readonly type?: string
  readonly properties?: Record<string, unknown>
}

/** The part of an OpenAPI description the test reads. */
interface Description {
  readonly paths: Record<string, Record<string, {
    readonly operationId: string
    readonly summary?: string
    readonly parameters: ReadonlyArray<{ readonly name: string; readonly in: string; readonly required: boolean }>
    readonly requestBody?: { readonly content: Record<string, unknown> }
    readonly responses: Record<string, { readonly content?: Record<string, { readonly schema: JsonSchema }> }>
  }>>
  readonly components?: { readonly schemas?: Record<string, JsonSchema> }
}

/** The schema `schema` stands for, following a reference into the description's components. */
const resolved = (description: Description, schema: JsonSchema): JsonSchema =>
  schema.$ref === undefined ? schema : (description.components?.schemas?.[schema.$ref.replace("#/components/schemas/", "")] ?? {})

describe("every hosted spec's client API is described (GET /v1/openapi.json)", () => {
  it.each(hostedSpecs.map((hosted) => [hosted.name, hosted] as const))("%s: each route with its method, path parameters and body", (_, hosted) => {
    const { paths } = describeClientApi(hosted) as unknown as Description
    for (const route of hosted.api.routes) {
      const operation = paths[route.path]?.[route.method.toLowerCase()]
      expect(operation, `${route.method} ${route.path}`).toBeDefined()
      const inPath = [...route.path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1])
      expect(operation!.parameters.filter((parameter) => parameter.in === "path").map(({ name, required }) => ({ name, required })))
        .toEqual(inPath.map((name) => ({ name, required: true })))
      const bodyTypes = operation!.requestBody === undefined ? [] : Object.keys(operation!.requestBody.content)
      expect(bodyTypes, `${route.method} ${route.path}'s body`).toEqual({ none: [], text: ["text/plain"], json: ["application/json"] }[route.body.kind])
    }
    const operationIds = Object.values(paths).flatMap((methods) => Object.values(methods).map((operation) => operation.operationId))
    expect(new Set(operationIds).size).toBe(operationIds.length)
    expect(Object.keys(paths)).toEqual(expect.arrayContaining(["/v1/status", "/metrics", "/v1/openapi.json"]))
  })

  it.each(hostedSpecs.map((hosted) => [hosted.name, hosted] as const))("%s: each route with its summary and the JSON object of each success answer", (_, hosted) => {
    const description = describeClientApi(hosted) as unknown as Description
    for (const route of hosted.api.routes) {
      const name = `${route.method} ${route.path}`
      const operation = description.paths[route.path]![route.method.toLowerCase()]!
      expect(operation.summary, `${name}'s summary`).toMatch(/^[A-Z].{10,}$/)
      const successes = Object.entries(operation.responses).filter(([status]) => status.startsWith("2"))
      expect(successes.length, `${name}'s success answers`).toBe(Array.isArray(route.answer) ? route.answer.length : 1)
      for (const [status, response] of successes) {
        const body = resolved(description, response.content?.["application/json"]?.schema ?? {})
        expect(body.type, `${name}'s ${status} body`).toBe("object")
        expect(Object.keys(body.properties ?? {}).length, `${name}'s ${status} body's fields`).toBeGreaterThan(0)
      }
    }
  })
})

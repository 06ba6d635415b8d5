/**
 * Each hosted route's declared answer (`RouteDeclaration.answer`, what
 * `GET /v1/openapi.json` shows a client) is what its `reply` writes: for
 * answers the spec's reducer may give, generated from its response Schema
 * and read by the spec's `outcome` as the host reads them, every success
 * body, sent as JSON, decodes with the answer declared for its status, and
 * every status declared is seen. A route that changes its body without its
 * Schema, or the other way round, fails here.
 */
import type { AnswerSchema, AnyHostedSpec, ClientRoute, RouteCall } from "@parley/core"
import { Arbitrary, Effect, Result, Schema } from "effect"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { describe, expect, it } from "vitest"
import { hostedSpecs } from "../src/hosted.ts"

/** Calls tried per route; a fixed seed, so a failure is the same on every run. */
const calls = 400
const seed = 7

/** The status the API's description gives an answer (200 unless its Schema names another), read from a description of it alone. */
const describedStatus = (answer: AnswerSchema): number => {
  const endpoint = HttpApiEndpoint.get("answer", "/", { success: answer })
  const { paths } = OpenApi.fromApi(HttpApi.make("answer").add(HttpApiGroup.make("answer").add(endpoint)))
  const statuses = Object.keys(paths["/"]?.get?.responses ?? {}).map(Number).filter((status) => status >= 200 && status < 300)
  expect(statuses, "one success status for each answer declared").toHaveLength(1)
  return statuses[0]!
}

/** The route's declared answers by their status; two for one status would leave the description one of them. */
const declaredAnswers = (route: ClientRoute<unknown, unknown>): ReadonlyMap<number, AnswerSchema> => {
  const answers = Array.isArray(route.answer) ? route.answer : [route.answer]
  const byStatus = new Map(answers.map((answer) => [describedStatus(answer), answer] as const))
  expect(byStatus.size, `${route.method} ${route.path}: a status for each answer`).toBe(answers.length)
  return byStatus
}

/** The raw inputs of calls on `route`: its parameters as a URL carries them (text), and a body as `body.kind` reads it. */
const rawCalls = (route: ClientRoute<unknown, unknown>) =>
  Arbitrary.all({
    params: Arbitrary.schema(Schema.toEncoded(route.params)),
    body: route.body.kind === "json" && route.body.schema !== undefined
      ? Arbitrary.schema(Schema.toEncoded(route.body.schema))
      : Arbitrary.Constant(route.body.kind === "text" ? "" : undefined)
  })

/** Calls the route takes: the generated parameters and bodies that fit it. */
const routeCalls = async (route: ClientRoute<unknown, unknown>): Promise<ReadonlyArray<RouteCall<unknown, unknown>>> => {
  const raw = await Effect.runPromise(Arbitrary.sampleEffect(rawCalls(route), { count: calls, seed }))
  return raw.flatMap(({ params, body }) => {
    const call = typeof params === "object" && params !== null ? route.call(stringFields(params), body) : "not parameters"
    return typeof call === "string" ? [] : [call]
  })
}

const stringFields = (params: object): Readonly<Record<string, string>> =>
  Object.fromEntries(Object.entries(params).flatMap(([name, value]) => (typeof value === "string" ? [[name, value]] : [])))

/** The answers the host hands a route: the spec's responses that its `outcome` calls answers, not a hand-over to another node. */
const answersOf = async (hosted: AnyHostedSpec): Promise<ReadonlyArray<unknown>> => {
  const responses = await Effect.runPromise(Arbitrary.sampleEffect(Arbitrary.schema(hosted.response), { count: calls, seed }))
  return responses.flatMap((response) => {
    const outcome = hosted.api.outcome(response)
    return outcome._tag === "Answer" ? [outcome.answer] : []
  })
}

describe("every hosted route answers what its description declares", () => {
  it.each(hostedSpecs.map((hosted) => [hosted.name, hosted] as const))("%s", async (_, hosted) => {
    const answers = await answersOf(hosted)
    expect(answers.length, "answers generated").toBeGreaterThan(calls / 4)
    for (const route of hosted.api.routes) {
      const name = `${route.method} ${route.path}`
      const declared = declaredAnswers(route)
      const routeCallsMade = await routeCalls(route)
      expect(routeCallsMade.length, `${name}: calls that fit it`).toBeGreaterThan(calls / 10)
      const seen = new Set<number>()
      routeCallsMade.forEach((call, index) => {
        const { status, body } = call.reply(answers[index % answers.length])
        if (status < 200 || status >= 300) return
        seen.add(status)
        const answer = declared.get(status)
        expect(answer, `${name} answered ${status}, which it does not declare`).toBeDefined()
        // A field the Schema does not name is a field the description says is not there (additionalProperties: false).
        const decoded = Schema.decodeUnknownResult(answer!, { onExcessProperty: "error" })(JSON.parse(JSON.stringify(body)))
        if (Result.isFailure(decoded)) expect.fail(`${name}'s ${status} body ${JSON.stringify(body)} does not fit its answer: ${decoded.failure.message}`)
      })
      expect([...seen].sort(), `${name}: each declared status answered`).toEqual([...declared.keys()].sort())
    }
  })
})

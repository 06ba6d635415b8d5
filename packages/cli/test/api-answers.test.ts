/**
 * Each hosted route's declared answer (`RouteDeclaration.answer`, what
 * `GET /v1/openapi.json` shows a client) is what its `reply` writes: for
 * answers the spec's reducer may give, generated from its response Schema
 * and read by the spec's `outcome` as the host reads them, every success
 * body, sent as JSON, decodes with the answer declared for its status, and
 * every status declared is seen. A route that changes its body without its
 * Schema, or the other way round, fails here.
 */
import type { AnyHostedSpec, ClientRoute, RouteCall } from "@parley/core"
import { Arbitrary, Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { hostedSpecs } from "../src/hosted.ts"
import { answerMisfit, declaredAnswers } from "./declared-answers.ts"

/** Calls tried per route; a fixed seed, so a failure is the same on every run. */
const calls = 400
const seed = 7

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
        if (status >= 200 && status < 300) seen.add(status)
        const misfit = answerMisfit(route, status, body)
        if (misfit !== undefined) expect.fail(misfit)
      })
      expect([...seen].sort(), `${name}: each declared status answered`).toEqual([...declared.keys()].sort())
    }
  })
})

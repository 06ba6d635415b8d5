/**
 * A hosted route's declared answers (`RouteDeclaration.answer`, what
 * `GET /v1/openapi.json` shows a client) by the status each is described
 * under, and whether an answer the route gave fits them: the tests that
 * hold the description to what the routes really send share this.
 */
import type { AnswerSchema, ClientRoute } from "@parley/core"
import { Result, Schema } from "effect"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"

/** The success statuses the API's description gives `answer` (one: 200 unless its Schema names another), from a description of it alone. */
const describedStatuses = (answer: AnswerSchema): ReadonlyArray<number> => {
  const endpoint = HttpApiEndpoint.get("answer", "/", { success: answer })
  const { paths } = OpenApi.fromApi(HttpApi.make("answer").add(HttpApiGroup.make("answer").add(endpoint)))
  return Object.keys(paths["/"]?.get?.responses ?? {}).map(Number).filter((status) => status >= 200 && status < 300)
}

const declared = new WeakMap<ClientRoute<unknown, unknown>, ReadonlyMap<number, AnswerSchema>>()

/** The route's declared answers by their status; throws when two share one, which would leave the description one of them. */
export const declaredAnswers = (route: ClientRoute<unknown, unknown>): ReadonlyMap<number, AnswerSchema> => {
  const known = declared.get(route)
  if (known !== undefined) return known
  const answers = Array.isArray(route.answer) ? route.answer : [route.answer]
  const byStatus = new Map(answers.flatMap((answer) => describedStatuses(answer).map((status) => [status, answer] as const)))
  if (byStatus.size !== answers.length) throw new Error(`${route.method} ${route.path} declares ${answers.length} answers under ${byStatus.size} success statuses`)
  declared.set(route, byStatus)
  return byStatus
}

/**
 * Why a success answer of `route` does not fit the answer it declares for
 * its status, or undefined when it does (or is no success). The body is
 * read as JSON, as a client gets it; a field the Schema does not name is a
 * misfit too, as the description says there is none (additionalProperties: false).
 */
export const answerMisfit = (route: ClientRoute<unknown, unknown>, status: number, body: unknown): string | undefined => {
  if (status < 200 || status >= 300) return undefined
  const name = `${route.method} ${route.path}`
  const answer = declaredAnswers(route).get(status)
  if (answer === undefined) return `${name} answered ${status}, which it does not declare`
  const decoded = Schema.decodeUnknownResult(answer, { onExcessProperty: "error" })(JSON.parse(JSON.stringify(body)))
  return Result.isFailure(decoded) ? `${name}'s ${status} body ${JSON.stringify(body)} does not fit its declared answer: ${decoded.failure.message}` : undefined
}

import { describe, expect, it } from "vitest"
import { everyNodeAnswers, leaderAgreed, majorityLeader } from "../src/readiness.ts"

const node = (id: string, status?: Record<string, unknown>) => ({ id, status })

describe("when a cluster is ready", () => {
  it("a majority naming one leader in its term makes a replicated log's cluster ready", () => {
    const nodes = [node("n1", { leader: "n1", term: 2 }), node("n2", { leader: "n1", term: 2 }), node("n3")]
    expect(majorityLeader(nodes)?.id).toBe("n1")
    expect(leaderAgreed(nodes)).toEqual({ _tag: "Ready", summary: "leader n1 in term 2" })
  })

  it("a leader named only by a minority, or in another term, is no leader", () => {
    expect(leaderAgreed([node("n1", { leader: "n1", term: 2 }), node("n2", { leader: "n1", term: 1 }), node("n3")])).toEqual({
      _tag: "Waiting",
      reason: "no leader"
    })
    expect(leaderAgreed([node("n1", { leader: "n2", term: 1 }), node("n2", { leader: null, term: 1 })])._tag).toBe("Waiting")
  })

  it("a cluster with fixed roles is ready once every node answers, and names the silent ones until then", () => {
    expect(everyNodeAnswers([node("coordinator", {}), node("p1", {})])._tag).toBe("Ready")
    expect(everyNodeAnswers([node("coordinator", {}), node("p1"), node("p2")])).toEqual({ _tag: "Waiting", reason: "no answer from p1, p2" })
  })
})

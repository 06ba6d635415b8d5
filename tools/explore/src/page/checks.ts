import { html, replaceChildren } from "@parley/web/page"
import type { VerdictView } from "@parley/web/page"
import type { CheckRequest, CheckStatus } from "../check-status.ts"
import type { Location } from "../location.ts"
import { api } from "./client.ts"

const POLL_MS = 300

const count = (n: number): string => Math.round(n).toLocaleString("en-US")

/** One line for a check's state: its progress while it runs, its result after. */
const statusLine = (check: CheckStatus): string => {
  const { progress, outcome } = check
  const figures = `${count(progress.distinctStates)} states, depth ${progress.depth}, ${(progress.elapsedMs / 1000).toFixed(1)} s`
  switch (check.status) {
    case "running":
      return `checking… ${figures}, ${count(progress.statesPerSec)} states/s`
    case "cancelled":
      return `cancelled after ${figures}`
    case "failed":
      return check.error ?? "failed"
    case "done":
      if (outcome === undefined) return figures
      if (outcome.result === "violation") return `${outcome.property ?? "a property"} (${outcome.kind ?? ""}) is broken: a counterexample of ${outcome.counterexample?.path.length ?? 0} steps (${figures})`
      return `${outcome.result === "ok" ? "every property holds in every state reachable from here" : "no violation within the bounds"} (${figures})${outcome.unreached.length > 0 ? `; never reached: ${outcome.unreached.join(", ")}` : ""}`
  }
}

/**
 * "Check from here": the checker run in the server's background from the
 * current state, polled for progress, cancellable; its counterexample opens
 * in the same view.
 */
export class CheckPanel {
  readonly element = html("section", { class: "check", id: "check" })
  private readonly strategy = html("select", { id: "check-strategy" }, html("option", { value: "bfs" }, "bfs (shortest)"), html("option", { value: "dfs" }, "dfs"), html("option", { value: "sim" }, "random walks"))
  private readonly maxStates = html("input", { id: "check-max-states", type: "number", min: 1, value: 1_000_000 })
  private readonly liveness = html("input", { id: "check-liveness", type: "checkbox" })
  private readonly deadlock = html("input", { id: "check-deadlock", type: "checkbox" })
  private readonly start = html("button", { type: "button", id: "check-start" }, "Check from here")
  private readonly cancel = html("button", { type: "button", id: "check-cancel", hidden: true }, "Cancel")
  private readonly status = html("div", { class: "check-status", id: "check-status" })
  private running: string | undefined

  constructor(private readonly here: () => Location, private readonly open: (location: Location, verdict: VerdictView | undefined) => void) {
    this.start.addEventListener("click", () => void this.begin())
    this.cancel.addEventListener("click", () => void this.stop())
    replaceChildren(
      this.element,
      html("h3", {}, "Check from here"),
      html("div", { class: "check-form" },
        html("label", {}, "strategy ", this.strategy),
        html("label", {}, "max states ", this.maxStates),
        html("label", {}, this.deadlock, " deadlock"),
        html("label", {}, this.liveness, " liveness")),
      html("div", { class: "check-buttons" }, this.start, this.cancel),
      this.status
    )
  }

  private request(): CheckRequest {
    const strategy = this.strategy.value === "dfs" ? "dfs" : this.strategy.value === "sim" ? "sim" : "bfs"
    const maxStates = Number(this.maxStates.value)
    return {
      location: this.here(),
      strategy,
      deadlock: this.deadlock.checked,
      liveness: this.liveness.checked,
      ...(Number.isInteger(maxStates) && this.maxStates.value !== "" ? { maxStates } : {})
    }
  }

  private async begin(): Promise<void> {
    const answer = await api.startCheck(this.request())
    if (!answer.ok) return this.say(answer.message, "error")
    this.running = answer.value.id
    this.showButtons(true)
    this.follow(answer.value)
  }

  private async stop(): Promise<void> {
    if (this.running === undefined) return
    const answer = await api.cancelCheck(this.running)
    if (!answer.ok) this.say(answer.message, "error")
  }

  /** Shows a check's state, and polls it again while it runs. */
  private follow(check: CheckStatus): void {
    if (check.id !== this.running) return
    const counterexample = check.outcome?.counterexample
    const status = check.status === "done" && counterexample !== undefined ? "violation" : check.status === "failed" ? "error" : check.status
    replaceChildren(this.status, html("span", { class: `check-${status}` }, statusLine(check)))
    if (counterexample !== undefined) {
      const button = html("button", { type: "button", id: "open-counterexample" }, "Open the counterexample")
      button.addEventListener("click", () => this.open(counterexample, check.outcome?.verdict))
      this.status.append(" ", button)
    }
    if (check.status !== "running") {
      this.running = undefined
      this.showButtons(false)
      return
    }
    setTimeout(() => {
      void api.check(check.id).then((answer) => answer.ok ? this.follow(answer.value) : this.say(answer.message, "error"))
    }, POLL_MS)
  }

  private say(message: string, kind: string): void {
    this.running = undefined
    this.showButtons(false)
    replaceChildren(this.status, html("span", { class: `check-${kind}` }, message))
  }

  private showButtons(running: boolean): void {
    this.start.disabled = running
    this.cancel.hidden = !running
  }
}

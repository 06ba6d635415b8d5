import { html, replaceChildren, TraceViewer } from "@parley/web/page"
import type { VerdictView } from "@parley/web/page"
import type { Location } from "../location.ts"
import type { StateView } from "../views.ts"
import { ActionList } from "./actions.ts"
import { CheckPanel } from "./checks.ts"
import { api } from "./client.ts"
import { PropertyList } from "./properties.ts"
import { locationInUrl, urlOf } from "./url.ts"

/**
 * The explorer's page: the path so far as the trace viewer shows a trace
 * (swim lanes, each node's state as a tree, messages in flight), and beside
 * it the actions the current state enables, the properties, "check from
 * here" and a trace file to load. The URL is the location, so the browser's
 * back and forward, a reload and a shared link all land on the same state.
 */
class Explorer {
  private view: StateView | undefined
  private viewer: TraceViewer | undefined
  /** The steps Back took off the path, for Forward to put back. */
  private redo: Array<number> = []
  /** What a counterexample opened from a check or a trace file shows, kept for its location (by URL). */
  private pinned: { readonly url: string; readonly verdict: VerdictView } | undefined
  private readonly problem = html("div", { class: "problem", id: "problem", role: "alert", hidden: true })
  private readonly title = html("h1", { id: "explore-title" }, "parley explore")
  private readonly back = html("button", { type: "button", id: "back", title: "Take the last step back" }, "← Back")
  private readonly forward = html("button", { type: "button", id: "forward", title: "Take again the step Back took back" }, "Forward →")
  private readonly share = html("a", { id: "share", href: "" }, "link to this state")
  private readonly traceInput = html("input", { type: "file", id: "trace-file", accept: ".json,application/json" })
  private readonly pathView = html("div", { class: "path-view", id: "path-view" })
  private readonly actions = new ActionList((index) => void this.take(index))
  private readonly properties = new PropertyList()
  private readonly check = new CheckPanel(() => this.here(), (location, verdict) => void this.open(location, verdict))

  constructor(root: HTMLElement, private readonly start: Location) {
    this.back.addEventListener("click", () => void this.stepBack())
    this.forward.addEventListener("click", () => void this.stepForward())
    this.traceInput.addEventListener("change", () => void this.loadTrace())
    window.addEventListener("popstate", () => void this.go(locationInUrl(location.search) ?? this.start, "none"))
    replaceChildren(
      root,
      html("div", { class: "explore-bar" }, this.title, this.back, this.forward, this.share, html("label", { class: "load-trace" }, "Open a trace file: ", this.traceInput)),
      this.problem,
      html("div", { class: "explore-main" }, this.pathView, html("aside", { class: "explore-side" }, this.actions.element, this.properties.element, this.check.element))
    )
  }

  private here(): Location {
    return this.view?.location ?? this.start
  }

  /** Moves to `location`: shows it, or says why it is no state and stays where it was. */
  async go(location: Location, history: "push" | "replace" | "none"): Promise<boolean> {
    const answer = await api.view(location)
    if (!answer.ok) {
      this.say(answer.message)
      return false
    }
    this.say(undefined)
    this.render(answer.value)
    const url = urlOf(answer.value.location)
    if (history === "push") window.history.pushState(null, "", url)
    else if (history === "replace") window.history.replaceState(null, "", url)
    return true
  }

  /** Opens a counterexample, its verdict (the property broken, a lasso's loop) shown while on it. */
  private async open(location: Location, verdict: VerdictView | undefined): Promise<void> {
    this.pinned = verdict === undefined ? undefined : { url: urlOf(location), verdict }
    if (await this.go(location, "push")) this.setRedo([])
  }

  private async take(index: number): Promise<void> {
    const here = this.here()
    if (await this.go({ ...here, path: [...here.path, index] }, "push")) this.setRedo([])
  }

  private setRedo(steps: Array<number>): void {
    this.redo = steps
    this.forward.disabled = steps.length === 0
  }

  private async stepBack(): Promise<void> {
    const here = this.here()
    const last = here.path[here.path.length - 1]
    if (last === undefined) return
    if (await this.go({ ...here, path: here.path.slice(0, -1) }, "push")) this.setRedo([...this.redo, last])
  }

  private async stepForward(): Promise<void> {
    const next = this.redo[this.redo.length - 1]
    if (next === undefined) return
    const here = this.here()
    if (await this.go({ ...here, path: [...here.path, next] }, "push")) this.setRedo(this.redo.slice(0, -1))
  }

  private async loadTrace(): Promise<void> {
    const file = this.traceInput.files?.[0]
    if (file === undefined) return
    const answer = await api.walkTrace(await file.text())
    this.traceInput.value = ""
    if (!answer.ok) return this.say(`${file.name}: ${answer.message}`)
    await this.open(answer.value.location, answer.value.verdict)
    if (answer.value.problem !== undefined) this.say(`${file.name}: ${answer.value.problem}`)
  }

  private say(message: string | undefined): void {
    this.problem.hidden = message === undefined
    this.problem.textContent = message ?? ""
  }

  private render(view: StateView): void {
    this.view = view
    const steps = view.trace.steps.length
    this.title.textContent = `parley explore: ${view.location.spec}`
    this.back.disabled = steps === 0
    this.forward.disabled = this.redo.length === 0
    this.share.href = urlOf(view.location)
    const trace = this.pinned?.url === urlOf(view.location) ? { ...view.trace, verdict: this.pinned.verdict } : view.trace
    if (this.viewer === undefined) this.viewer = new TraceViewer(this.pathView, trace, { position: steps })
    else this.viewer.show(trace, steps)
    this.actions.show(view.actions, view.terminal)
    this.properties.show(view.properties, steps, view.within)
  }
}

const boot = async (): Promise<void> => {
  const root = document.getElementById("app") ?? document.body
  const catalog = await api.catalog()
  if (!catalog.ok) {
    replaceChildren(root, html("p", { class: "problem" }, catalog.message))
    return
  }
  const explorer = new Explorer(root, catalog.value.start)
  const asked = locationInUrl(location.search)
  if (asked === undefined) {
    await explorer.go(catalog.value.start, "replace")
    return
  }
  // A URL that names no state: say why, and show where the command line started instead.
  if (!await explorer.go(asked, "none")) {
    const why = `${document.getElementById("problem")?.textContent ?? ""} — showing where parley explore started instead`
    const say = (): void => {
      const problem = document.getElementById("problem")
      if (problem === null) return
      problem.hidden = false
      problem.textContent = why
    }
    // Said at once, so the reason is never on show without what the page does about it, and again once the start is drawn.
    say()
    await explorer.go(catalog.value.start, "none")
    say()
  }
}

void boot()

/** A cluster under benchmark, whichever system it is: where to write, who leads, how to crash and revive a member. */
export interface Member {
  readonly id: string
  /** Base URL of the member's client API. */
  readonly url: string
}

export interface ClusterTarget {
  readonly system: string
  readonly members: ReadonlyArray<Member>
  /**
   * One write of `value` to `key` through `member`; resolves true when
   * acknowledged, false on an error answer, and rejects when `timeoutMs`
   * passes first (the request is abandoned, as a client with a deadline does).
   */
  put(member: Member, key: string, value: string, timeoutMs: number): Promise<boolean>
  leader(): Promise<Member>
  /** kill -9 */
  kill(member: Member): Promise<void>
  restart(member: Member): Promise<void>
  /** Each member's resident memory in MiB, where the bench can read it. */
  rssMiB?(): Promise<ReadonlyArray<number>>
  stop(): Promise<void>
}

/**
 * Durable state. The node loop saves the actor's `durable(state)` after each
 * batch of events and before it performs the batch's sends and replies, so
 * nothing leaves the node that a crash could make it forget. A save is
 * synchronous, a Result rather than an Effect: it is on disk when it
 * returns, and the loop, which saves once or twice for every write, runs
 * no fiber for it (running one cost a leader about 30 µs a write).
 */
import { Context, Effect, Layer, Option, Result, Schema } from "effect"
import { oneLine } from "./cluster-file.ts"
import { StorageError } from "./errors.ts"
import { NodeConfig } from "./node-config.ts"
import { openSqliteStore } from "./sqlite-store.ts"

export class Storage extends Context.Service<Storage, {
  /** What the last run saved, decoded with the spec's durable Schema; none on a first start. */
  readonly load: Effect.Effect<Option.Option<unknown>, StorageError>
  save(durable: unknown): Result.Result<void, StorageError>
}>()("@parley/runtime/Storage") {
  /** `node:sqlite` in one file; each save is one transaction, made durable (fsync) before it returns. */
  static readonly sqlite = (path: string) =>
    Layer.effect(
      Storage,
      Effect.gen(function*() {
        const { hosted } = yield* NodeConfig
        const store = yield* Effect.acquireRelease(
          Effect.try({ try: () => openSqliteStore(path), catch: (error) => storageError(path, "cannot open", error) }),
          (store) => Effect.sync(() => store.close())
        )
        return Storage.of({
          load: Effect.gen(function*() {
            const raw = yield* Effect.try({ try: () => store.load(), catch: (error) => storageError(path, "cannot read", error) })
            if (raw === undefined) return Option.none()
            const decoded = Schema.decodeUnknownResult(hosted.durable)(raw)
            if (Result.isFailure(decoded)) {
              return yield* new StorageError({ path, message: `${path} holds durable state that does not fit spec ${hosted.name}: ${oneLine(decoded.failure.message)}` })
            }
            store.remember(decoded.success)
            return Option.some(decoded.success)
          }),
          save: (durable) => {
            try {
              store.save(durable)
              return saved
            } catch (error) {
              return Result.fail(storageError(path, "cannot write", error))
            }
          }
        })
      })
    )

  /** Keeps the last save in memory: for tests, where a "crash" is rebuilding the node with the same layer. */
  static readonly memory = (cell: { value: unknown }) =>
    Layer.succeed(Storage, Storage.of({
      load: Effect.sync(() => cell.value === undefined ? Option.none() : Option.some(cell.value)),
      save: (durable) => {
        cell.value = durable
        return saved
      }
    }))
}

/** A save that went through. */
export const saved: Result.Result<void, StorageError> = Result.succeed(undefined)

const storageError = (path: string, what: string, error: unknown) =>
  new StorageError({ path, message: `${what} ${path}: ${error instanceof Error ? error.message : String(error)}` })

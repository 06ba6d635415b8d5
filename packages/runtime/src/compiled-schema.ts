/**
 * Schemas that run on every message between nodes, compiled. Effect's
 * Schema JIT compiler (`effect/schema`, SchemaJITCompiler) generates a
 * decoder and an encoder for a Schema's AST; the usual `Schema.decode*`
 * and `Schema.encode*` functions then use them, and a value that does not
 * fit is still refused with the interpreter's full message. On a 3-node
 * raft at one writer, decoding a frame through the interpreter, which runs
 * an Effect per decode, and encoding each message took about a tenth of a
 * follower's CPU; compiled, an AppendEntries frame decodes in a third of
 * the time and encodes in a fifth (microbenchmark). Where the compiler
 * cannot generate code it leaves the interpreter in place.
 */
import { SchemaAST } from "effect"
import type { Schema } from "effect"
import { SchemaJITCompiler } from "effect/schema"

/** Compiles the decoder and the encoder of `schema` (and of what it is made of); returns it as it is. */
export const compiled = <S extends Schema.Top>(schema: S): S => {
  SchemaJITCompiler.enable(schema.ast)
  SchemaJITCompiler.enable(SchemaAST.flip(schema.ast))
  return schema
}

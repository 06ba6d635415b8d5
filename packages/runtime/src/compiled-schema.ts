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
 * cannot generate code it leaves the interpreter in place. What the node
 * writes only for itself (its event log's requests and replies) is not
 * encoded at all when the Schema is plain JSON data (`encoderOf`).
 */
import { Schema, SchemaAST } from "effect"
import { SchemaJITCompiler } from "effect/schema"

/** Compiles the decoder and the encoder of `schema` (and of what it is made of); returns it as it is. */
export const compiled = <S extends Schema.Top>(schema: S): S => {
  SchemaJITCompiler.enable(schema.ast)
  SchemaJITCompiler.enable(SchemaAST.flip(schema.ast))
  return schema
}

/**
 * The Schema's encoder for what the node writes itself (its event log):
 * none at all when the Schema's encoded form is its type (plain JSON data,
 * no transformation anywhere in it: encoding would copy the value as it
 * is), else its compiled encoder. Checked once, on the Schema's AST.
 */
export const encoderOf = <T>(schema: Schema.Codec<T, unknown>): (value: T) => unknown => {
  if (SchemaAST.toEncoded(schema.ast) === SchemaAST.toType(schema.ast)) return (value) => value
  return Schema.encodeSync(compiled(schema))
}

/**
 * A small Protocol Buffers writer (proto3 wire format), enough to encode ONNX
 * models without a dependency: varints, 64-bit integers, floats, strings,
 * bytes, packed repeated numbers and nested messages.
 *
 * A message is built field by field; nested messages are kept by reference,
 * their lengths written as the format requires, and every byte is written
 * once, into the one buffer the outermost `finish` returns.
 *
 * @example
 * ```ts
 * const inner = new ProtoWriter().string(1, "x");
 * const bytes = new ProtoWriter().int64(1, 8).message(7, inner).finish();
 * ```
 */

/** Wire types of the encoding (the low three bits of a field key). */
const VARINT = 0;
const FIXED64 = 1;
const LENGTH_DELIMITED = 2;
const FIXED32 = 5;

const encoder = new TextEncoder();

/** True where a `Float32Array`'s bytes are already the little-endian floats the wire format wants. */
const LITTLE_ENDIAN = new Uint8Array(Float32Array.of(1).buffer)[3] === 0x3f;

/**
 * The bytes of float32 values, little-endian. A `Float32Array` on a
 * little-endian machine is viewed, not copied: the final buffer is the only copy.
 */
function float32Bytes(values: ArrayLike<number>): Uint8Array {
  if (LITTLE_ENDIAN && values instanceof Float32Array) return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (LITTLE_ENDIAN) {
    const copy = Float32Array.from(values);
    return new Uint8Array(copy.buffer);
  }
  const b = new Uint8Array(values.length * 4);
  const view = new DataView(b.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return b;
}

/**
 * Bytes that their owner writes straight into the final buffer, when the
 * outermost message is finished: a weight stored in another layout is
 * rearranged there, with no array of its own in between.
 *
 * @example
 * ```ts
 * const ones: DeferredBytes = { byteLength: 3, writeInto: (out, at) => out.fill(1, at, at + 3) };
 * new ProtoWriter().deferredBytes(1, ones).finish(); // [10, 3, 1, 1, 1]
 * ```
 */
export interface DeferredBytes {
  /** How many bytes `writeInto` writes. */
  readonly byteLength: number;
  /** Writes exactly `byteLength` bytes at `out[at]` onwards. */
  writeInto(out: Uint8Array, at: number): void;
}

/**
 * Builds one message. Fields are written in call order; readers accept any
 * order, and repeated fields keep theirs.
 *
 * A nested message is kept by reference and its bytes are written once, by
 * the outermost `finish`, so a model of hundreds of megabytes of weights is
 * one buffer and one copy of each weight, whatever its nesting depth. A
 * message added to another is sealed: writing to it afterwards would change
 * bytes whose length its parent has already written.
 *
 * @example
 * ```ts
 * const dim = new ProtoWriter().int64(1, 28).finish(); // TensorShapeProto.Dimension { dim_value: 28 }
 * ```
 */
export class ProtoWriter {
  private readonly parts: (Uint8Array | ProtoWriter | DeferredBytes)[] = [];
  private pending: number[] = [];
  /** Bytes in `parts` (nested messages at their encoded length), not counting `pending`. */
  private written = 0;
  private sealed = false;

  /** The encoded length of the message so far, in bytes. */
  get byteLength(): number {
    return this.written + this.pending.length;
  }

  /** An unsigned or non-negative integer field (uint32, int32 >= 0, enum, bool) as a varint. */
  uint(field: number, value: number): this {
    this.key(field, VARINT);
    this.varint(value);
    return this;
  }

  /**
   * A signed 64-bit integer field (`int64`): negative values take ten bytes,
   * two's complement, as protobuf encodes them. Only safe integers are exact.
   */
  int64(field: number, value: number): this {
    this.key(field, VARINT);
    this.signedVarint(value);
    return this;
  }

  /** A boolean field. */
  bool(field: number, value: boolean): this {
    return this.uint(field, value ? 1 : 0);
  }

  /** A `float` field (fixed 32 bits, little-endian). */
  float(field: number, value: number): this {
    this.key(field, FIXED32);
    this.bytesRaw(float32Bytes([value]));
    return this;
  }

  /** A `double` field (fixed 64 bits, little-endian). */
  double(field: number, value: number): this {
    this.key(field, FIXED64);
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, value, true);
    this.bytesRaw(b);
    return this;
  }

  /** A `string` field, UTF-8 encoded. */
  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  /** A `bytes` field. The bytes are read when the outermost message is finished: do not change them before. */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, LENGTH_DELIMITED);
    this.varint(value.length);
    this.bytesRaw(value);
    return this;
  }

  /** A `bytes` field whose bytes `value` writes itself, into the final buffer, when the outermost message is finished. */
  deferredBytes(field: number, value: DeferredBytes): this {
    const n = value.byteLength;
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`protobuf: deferred bytes of length ${n} are not a non-negative safe integer`);
    this.key(field, LENGTH_DELIMITED);
    this.varint(n);
    this.flush();
    this.parts.push({ byteLength: n, writeInto: (out, at) => value.writeInto(out, at) });
    this.written += n;
    return this;
  }

  /** A nested message field; `value` is sealed from here on. */
  message(field: number, value: ProtoWriter): this {
    // A message inside itself would never end; any other cycle is refused by the seal of its inner part.
    if (value === this) throw new RangeError("protobuf: a message cannot contain itself");
    this.key(field, LENGTH_DELIMITED);
    this.varint(value.byteLength);
    value.seal();
    this.flush();
    this.parts.push(value);
    this.written += value.byteLength;
    return this;
  }

  /** A packed `repeated int64` field (nothing is written for an empty list, as proto3 does). */
  packedInt64(field: number, values: readonly number[]): this {
    if (values.length === 0) return this;
    const inner = new ProtoWriter();
    for (const v of values) inner.signedVarint(v);
    return this.bytes(field, inner.finish());
  }

  /** A packed `repeated float` field; a `Float32Array`'s values are read when the outermost message is finished. */
  packedFloat(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    return this.bytes(field, float32Bytes(values));
  }

  /** The encoded message, in one buffer. */
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.written);
    const end = this.writeInto(out, 0);
    if (end !== out.length) throw new Error(`protobuf: wrote ${end} bytes of ${out.length}`);
    return out;
  }

  private writeInto(out: Uint8Array, at: number): number {
    this.flush();
    for (const p of this.parts) {
      if (p instanceof ProtoWriter) {
        at = p.writeInto(out, at);
      } else if (p instanceof Uint8Array) {
        out.set(p, at);
        at += p.length;
      } else {
        p.writeInto(out.subarray(at, at + p.byteLength), 0);
        at += p.byteLength;
      }
    }
    return at;
  }

  private seal(): void {
    this.flush();
    this.sealed = true;
  }

  private key(field: number, wireType: number): void {
    if (this.sealed) throw new Error("protobuf: this message is already part of another and cannot change");
    if (!Number.isSafeInteger(field) || field < 1 || field > 536870911) throw new RangeError(`protobuf: field number ${field} is out of range`);
    this.varint(field * 8 + wireType);
  }

  private varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`protobuf: varint ${value} is not a non-negative safe integer`);
    // Division, not bit operations: values past 2^31 must stay exact.
    while (value > 127) {
      this.pending.push((value % 128) | 128);
      value = Math.floor(value / 128);
    }
    this.pending.push(value);
  }

  private signedVarint(value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`protobuf: int64 ${value} is not a safe integer`);
    if (value >= 0) {
      this.varint(value);
      return;
    }
    // Two's complement over 64 bits, seven bits at a time: ten bytes.
    let v = BigInt.asUintN(64, BigInt(value));
    for (let i = 0; i < 9; i++) {
      this.pending.push(Number(v & 127n) | 128);
      v >>= 7n;
    }
    this.pending.push(Number(v));
  }

  private bytesRaw(b: Uint8Array): void {
    this.flush();
    this.parts.push(b);
    this.written += b.length;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const b = Uint8Array.from(this.pending);
    this.parts.push(b);
    this.written += b.length;
    this.pending = [];
  }
}

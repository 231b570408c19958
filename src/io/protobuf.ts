/**
 * A small Protocol Buffers writer (proto3 wire format), enough to encode ONNX
 * models without a dependency: varints, 64-bit integers, floats, strings,
 * bytes, packed repeated numbers and nested messages.
 *
 * A message is built field by field and encoded once; nested messages are
 * encoded first and written as length-delimited bytes, as the format requires.
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

/**
 * Builds one message. Fields are written in call order; readers accept any
 * order, and repeated fields keep theirs.
 *
 * @example
 * ```ts
 * const dim = new ProtoWriter().int64(1, 28).finish(); // TensorShapeProto.Dimension { dim_value: 28 }
 * ```
 */
export class ProtoWriter {
  private readonly chunks: Uint8Array[] = [];
  private pending: number[] = [];
  private size = 0;

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
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, value, true);
    this.bytesRaw(b);
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

  /** A `bytes` field. */
  bytes(field: number, value: Uint8Array): this {
    this.key(field, LENGTH_DELIMITED);
    this.varint(value.length);
    this.bytesRaw(value);
    return this;
  }

  /** A nested message field. */
  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  /** A packed `repeated int64` field (nothing is written for an empty list, as proto3 does). */
  packedInt64(field: number, values: readonly number[]): this {
    if (values.length === 0) return this;
    const inner = new ProtoWriter();
    for (const v of values) inner.signedVarint(v);
    return this.bytes(field, inner.finish());
  }

  /** A packed `repeated float` field. */
  packedFloat(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    const b = new Uint8Array(values.length * 4);
    const view = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
    return this.bytes(field, b);
  }

  /** The encoded message. */
  finish(): Uint8Array {
    this.flush();
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }

  private key(field: number, wireType: number): void {
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
    this.chunks.push(b);
    this.size += b.length;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const b = Uint8Array.from(this.pending);
    this.chunks.push(b);
    this.size += b.length;
    this.pending = [];
  }
}

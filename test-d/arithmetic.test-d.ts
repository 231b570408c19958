/**
 * Strict type assertions for `types/arithmetic/`.
 *
 * `Expect<Equal<…>>` is checked by plain `tsc` (TS 5.9 and TS 7): `Equal` is
 * the strict identity test, so `number`, `never` and unions must match
 * exactly. `expectType` calls are checked strictly by tsd (TS 5.9).
 */
import { expectType } from "tsd";

import type {
  Add,
  Compare,
  DivCeil,
  DivFloor,
  Eq,
  Gt,
  Gte,
  IsInteger,
  IsPositiveInteger,
  Lt,
  Lte,
  Max,
  Min,
  Mod,
  Multiply,
  Ordering,
  Product,
  Subtract,
  Sum,
} from "../types/arithmetic/index.js";

type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

/** A value of type `T`, for `expectType`. */
declare function of<T>(): T;

// ---------------------------------------------------------------- Add
type _add1 = Expect<Equal<Add<2, 3>, 5>>;
type _add2 = Expect<Equal<Add<0, 0>, 0>>;
type _add3 = Expect<Equal<Add<0, 7>, 7>>;
type _add4 = Expect<Equal<Add<9, 1>, 10>>;
type _add5 = Expect<Equal<Add<99999, 1>, 100000>>; // carry through 5 digits
type _add6 = Expect<Equal<Add<1, 99999>, 100000>>; // longer operand second
type _add7 = Expect<Equal<Add<999999999999, 1>, 1000000000000>>; // carry across 12 digits
type _add8 = Expect<Equal<Add<123456789012345, 876543210987655>, 1000000000000000>>; // 1e15
type _add9 = Expect<Equal<Add<500000000000000, 1>, 500000000000001>>;
type _add10 = Expect<Equal<Add<9007199254740990, 1>, 9007199254740991>>; // = 2^53 - 1
type _add11 = Expect<Equal<Add<4503599627370496, 4503599627370495>, 9007199254740991>>;
type _add12 = Expect<Equal<Add<9007199254740991, 1>, number>>; // 2^53: above MAX_SAFE_INTEGER
type _add13 = Expect<Equal<Add<4503599627370496, 4503599627370496>, number>>;
type _add14 = Expect<Equal<Add<9007199254740991, 9007199254740991>, number>>;
type _add15 = Expect<Equal<Add<number, 1>, number>>;
type _add16 = Expect<Equal<Add<1, number>, number>>;
type _add17 = Expect<Equal<Add<-1, 2>, number>>; // negative operand
type _add18 = Expect<Equal<Add<2.5, 1>, number>>; // fractional operand
type _add19 = Expect<Equal<Add<1 | 2, 10>, 11 | 12>>; // unions distribute
type _add20 = Expect<Equal<Add<never, 1>, never>>;
expectType<1000000000000>(of<Add<999999999999, 1>>());
expectType<9007199254740991>(of<Add<9007199254740990, 1>>());
expectType<number>(of<Add<9007199254740991, 1>>());
expectType<number>(of<Add<number, 5>>());

// ---------------------------------------------------------------- Sum
// VGG16: 13 conv layers, 3 dense layers.
type VggParams = [1792, 36928, 73856, 147584, 295168, 590080, 590080, 1180160, 2359808, 2359808, 2359808, 2359808, 2359808, 102764544, 16781312, 4097000];
type _sum1 = Expect<Equal<Sum<VggParams>, 138357544>>;
type _sum2 = Expect<Equal<Sum<[]>, 0>>;
type _sum3 = Expect<Equal<Sum<[42]>, 42>>;
type _sum4 = Expect<Equal<Sum<readonly [1, 2, 3]>, 6>>;
type _sum5 = Expect<Equal<Sum<[4503599627370496, 4503599627370495]>, 9007199254740991>>;
type _sum6 = Expect<Equal<Sum<[9007199254740991, 1, 0]>, number>>; // overflow
type _sum7 = Expect<Equal<Sum<number[]>, number>>; // not a tuple
type _sum8 = Expect<Equal<Sum<[1, ...number[]]>, number>>; // rest element
type _sum9 = Expect<Equal<Sum<[1, number]>, number>>;
type _sum10 = Expect<Equal<Sum<[1, 2.5]>, number>>;
type _sum11 = Expect<Equal<Sum<[1 | 2, 10]>, 11 | 12>>;
expectType<138357544>(of<Sum<VggParams>>());

// ---------------------------------------------------------------- Subtract
type _sub1 = Expect<Equal<Subtract<10, 3>, 7>>;
type _sub2 = Expect<Equal<Subtract<5, 5>, 0>>;
type _sub3 = Expect<Equal<Subtract<7, 0>, 7>>;
type _sub4 = Expect<Equal<Subtract<1000, 1>, 999>>; // borrow through 3 digits
type _sub5 = Expect<Equal<Subtract<1000000000000, 1>, 999999999999>>;
type _sub6 = Expect<Equal<Subtract<1000000000000000, 999999999999999>, 1>>; // leading zeros stripped
type _sub7 = Expect<Equal<Subtract<9007199254740991, 9007199254740991>, 0>>;
type _sub8 = Expect<Equal<Subtract<9007199254740991, 1>, 9007199254740990>>;
type _sub9 = Expect<Equal<Subtract<5, 7>, never>>; // negative result
type _sub10 = Expect<Equal<Subtract<0, 1>, never>>;
type _sub11 = Expect<Equal<Subtract<999, 1000>, never>>; // shorter minus longer
type _sub12 = Expect<Equal<Subtract<123456789012344, 123456789012345>, never>>;
type _sub13 = Expect<Equal<Subtract<number, 1>, number>>;
type _sub14 = Expect<Equal<Subtract<10, number>, number>>;
type _sub15 = Expect<Equal<Subtract<1, -1>, number>>;
type _sub16 = Expect<Equal<Subtract<10, 1 | 20>, 9>>; // the negative member drops out
expectType<999999999999>(of<Subtract<1000000000000, 1>>());
expectType<never>(of<Subtract<5, 7>>());

// ---------------------------------------------------------------- Multiply
type _mul1 = Expect<Equal<Multiply<0, 5>, 0>>;
type _mul2 = Expect<Equal<Multiply<5, 0>, 0>>;
type _mul3 = Expect<Equal<Multiply<1, 12345>, 12345>>;
type _mul4 = Expect<Equal<Multiply<12, 12>, 144>>;
type _mul5 = Expect<Equal<Multiply<10, 100>, 1000>>;
type _mul6 = Expect<Equal<Multiply<4096, 4096>, 16777216>>;
type _mul7 = Expect<Equal<Multiply<31622776, 31622777>, 999999993568952>>; // 1e15 range
type _mul8 = Expect<Equal<Multiply<94906265, 94906265>, 9007199136250225>>; // largest safe square
type _mul9 = Expect<Equal<Multiply<94906266, 94906266>, number>>;
type _mul10 = Expect<Equal<Multiply<3, 3002399751580330>, 9007199254740990>>;
type _mul11 = Expect<Equal<Multiply<3, 3002399751580331>, number>>; // 9007199254740993
type _mul12 = Expect<Equal<Multiply<99999999, 99999999>, number>>;
type _mul13 = Expect<Equal<Multiply<number, 2>, number>>;
type _mul14 = Expect<Equal<Multiply<2, 0.5>, number>>;
type _mul15 = Expect<Equal<Multiply<2 | 3, 10>, 20 | 30>>;
expectType<16777216>(of<Multiply<4096, 4096>>());
expectType<number>(of<Multiply<99999999, 99999999>>());

// ---------------------------------------------------------------- Product
type _prod1 = Expect<Equal<Product<[3, 3, 512, 512]>, 2359296>>;
type _prod2 = Expect<Equal<Product<[]>, 1>>;
type _prod3 = Expect<Equal<Product<[7, 7, 512]>, 25088>>;
type _prod4 = Expect<Equal<Product<[2, 0, 5]>, 0>>;
type _prod5 = Expect<Equal<Product<[1000, 1000, 1000, 1000, 1000]>, 1000000000000000>>;
type _prod6 = Expect<Equal<Product<[1000, 1000, 1000, 1000, 1000, 10]>, number>>;
type _prod7 = Expect<Equal<Product<number[]>, number>>;
type _prod8 = Expect<Equal<Product<[number, 2]>, number>>;
type _prod9 = Expect<Equal<Product<[-1, 2]>, number>>;
expectType<2359296>(of<Product<[3, 3, 512, 512]>>());
expectType<1>(of<Product<[]>>());

// ---------------------------------------------------------------- DivFloor / DivCeil / Mod
type _div1 = Expect<Equal<DivFloor<7, 2>, 3>>;
type _div2 = Expect<Equal<DivCeil<7, 2>, 4>>;
type _div3 = Expect<Equal<Mod<7, 2>, 1>>;
type _div4 = Expect<Equal<DivFloor<224, 2>, 112>>;
type _div5 = Expect<Equal<DivCeil<224, 2>, 112>>;
type _div6 = Expect<Equal<Mod<224, 2>, 0>>;
type _div7 = Expect<Equal<DivFloor<0, 5>, 0>>;
type _div8 = Expect<Equal<DivCeil<0, 5>, 0>>;
type _div9 = Expect<Equal<Mod<0, 5>, 0>>;
type _div10 = Expect<Equal<DivFloor<5, 7>, 0>>;
type _div11 = Expect<Equal<DivCeil<5, 7>, 1>>;
type _div12 = Expect<Equal<Mod<5, 7>, 5>>;
type _div13 = Expect<Equal<DivFloor<12345, 1>, 12345>>;
type _div14 = Expect<Equal<DivFloor<1000000000000000, 7>, 142857142857142>>;
type _div15 = Expect<Equal<Mod<1000000000000000, 7>, 6>>;
type _div16 = Expect<Equal<DivCeil<1000000000000000, 7>, 142857142857143>>;
type _div17 = Expect<Equal<Mod<1000000000007, 10>, 7>>;
type _div18 = Expect<Equal<DivFloor<9007199254740991, 3>, 3002399751580330>>;
type _div19 = Expect<Equal<DivCeil<9007199254740991, 3>, 3002399751580331>>;
type _div20 = Expect<Equal<Mod<9007199254740991, 1000>, 991>>;
type _div21 = Expect<Equal<DivFloor<9007199254740991, 9007199254740991>, 1>>;
type _div22 = Expect<Equal<DivFloor<999999999999, 1000000>, 999999>>;
type _div23 = Expect<Equal<Mod<999999999999, 1000000>, 999999>>;
type _div24 = Expect<Equal<DivFloor<7, 0>, never>>; // division by zero
type _div25 = Expect<Equal<DivCeil<7, 0>, never>>;
type _div26 = Expect<Equal<Mod<7, 0>, never>>;
type _div27 = Expect<Equal<DivFloor<number, 0>, never>>; // B = 0 wins over a non-literal A
type _div28 = Expect<Equal<DivFloor<number, 2>, number>>;
type _div29 = Expect<Equal<DivCeil<7, number>, number>>;
type _div30 = Expect<Equal<Mod<7.5, 2>, number>>;
type _div31 = Expect<Equal<DivFloor<10 | 20, 3>, 3 | 6>>;
expectType<142857142857142>(of<DivFloor<1000000000000000, 7>>());
expectType<never>(of<DivFloor<7, 0>>());

// ---------------------------------------------------------------- Compare & friends
type _cmp1 = Expect<Equal<Compare<999, 1000>, "lt">>; // different digit lengths
type _cmp2 = Expect<Equal<Compare<1000, 999>, "gt">>;
type _cmp3 = Expect<Equal<Compare<12345, 12345>, "eq">>;
type _cmp4 = Expect<Equal<Compare<0, 0>, "eq">>;
type _cmp5 = Expect<Equal<Compare<123456789012345, 99>, "gt">>;
type _cmp6 = Expect<Equal<Compare<99, 123456789012345>, "lt">>;
type _cmp7 = Expect<Equal<Compare<1250, 1205>, "gt">>; // same length, differ inside
type _cmp8 = Expect<Equal<Compare<9007199254740990, 9007199254740991>, "lt">>;
type _cmp9 = Expect<Equal<Compare<number, 1>, Ordering>>;
type _cmp10 = Expect<Equal<Compare<-1, 1>, Ordering>>;
type _cmp11 = Expect<Equal<Compare<1 | 5, 3>, "lt" | "gt">>;
type _gt1 = Expect<Equal<Gt<1000, 999>, true>>;
type _gt2 = Expect<Equal<Gt<5, 5>, false>>;
type _gt3 = Expect<Equal<Gt<number, 5>, boolean>>;
type _gt4 = Expect<Equal<Gt<2.5, 1>, boolean>>;
type _gt5 = Expect<Equal<Gt<1 | 5, 3>, boolean>>;
type _gte1 = Expect<Equal<Gte<5, 5>, true>>;
type _gte2 = Expect<Equal<Gte<4, 50>, false>>;
type _lt1 = Expect<Equal<Lt<99, 100>, true>>;
type _lt2 = Expect<Equal<Lt<100, 99>, false>>;
type _lt3 = Expect<Equal<Lt<-1, 100>, boolean>>;
type _lte1 = Expect<Equal<Lte<100, 100>, true>>;
type _lte2 = Expect<Equal<Lte<101, 100>, false>>;
type _eq1 = Expect<Equal<Eq<224, 224>, true>>;
type _eq2 = Expect<Equal<Eq<224, 225>, false>>;
type _eq3 = Expect<Equal<Eq<number, 224>, boolean>>;
type _max1 = Expect<Equal<Max<7, 1000>, 1000>>;
type _max2 = Expect<Equal<Max<1000, 7>, 1000>>;
type _max3 = Expect<Equal<Max<number, 1>, number>>;
type _max4 = Expect<Equal<Max<1 | 5, 3>, 3 | 5>>;
type _min1 = Expect<Equal<Min<7, 1000>, 7>>;
type _min2 = Expect<Equal<Min<5, 5>, 5>>;
type _min3 = Expect<Equal<Min<2.5, 1>, number>>;
expectType<"lt">(of<Compare<999, 1000>>());
expectType<true>(of<Gt<1000, 999>>());
expectType<boolean>(of<Gt<number, 5>>());

// ---------------------------------------------------------------- IsInteger / IsPositiveInteger
type _int1 = Expect<Equal<IsInteger<0>, true>>;
type _int2 = Expect<Equal<IsInteger<42>, true>>;
type _int3 = Expect<Equal<IsInteger<9007199254740991>, true>>;
type _int4 = Expect<Equal<IsInteger<1e21>, true>>; // exponent form, still an integer
type _int4b = Expect<Equal<IsInteger<1.5e21>, true>>; // "1.5e+21" is an integer too
type _int4c = Expect<Equal<IsInteger<-1e21>, false>>;
type _int5 = Expect<Equal<IsInteger<2.5>, false>>;
type _int6 = Expect<Equal<IsInteger<-3>, false>>;
type _int7 = Expect<Equal<IsInteger<1e-7>, false>>;
type _int8 = Expect<Equal<IsInteger<number>, boolean>>;
type _int9 = Expect<Equal<IsInteger<1 | 2.5>, boolean>>;
type _pos1 = Expect<Equal<IsPositiveInteger<3>, true>>;
type _pos2 = Expect<Equal<IsPositiveInteger<0>, false>>;
type _pos3 = Expect<Equal<IsPositiveInteger<2.5>, false>>;
type _pos4 = Expect<Equal<IsPositiveInteger<-1>, false>>;
type _pos5 = Expect<Equal<IsPositiveInteger<-0.5>, false>>;
type _pos6 = Expect<Equal<IsPositiveInteger<number>, boolean>>;
type _pos7 = Expect<Equal<IsPositiveInteger<1 | 2>, true>>;
expectType<true>(of<IsPositiveInteger<3>>());
expectType<false>(of<IsPositiveInteger<0>>());
expectType<boolean>(of<IsPositiveInteger<number>>());

// ---------------------------------------------------------------- composed, as layers use them
// conv2d 3x3, 512 → 512 channels: 3·3·512·512 + 512
type _conv = Expect<Equal<Add<Product<[3, 3, 512, 512]>, 512>, 2359808>>;
// 'valid' output size floor((224 - 7) / 2) + 1
type _valid = Expect<Equal<Add<DivFloor<Subtract<224, 7>, 2>, 1>, 109>>;
// kernel larger than the input: the subtraction is never, and so is everything after it
type _tooBig = Expect<Equal<Add<DivFloor<Subtract<3, 5>, 1>, 1>, never>>;

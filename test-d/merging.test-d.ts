import { expectType } from "tsd";
import { add, average, concatenate, dot, input, layers, maximum, minimum, model, multiply, subtract, tensor } from "../src/index.js";
import type { Model, OutputShape, ParamCount, Shape, SymbolicTensor, Tensor } from "../src/index.js";
import type { Equal, Expect } from "./equal.js";

const x = input({ shape: [8, 8, 16] });
const conv = x.conv2d({ filters: 16, kernelSize: 3, padding: "same" }); // 2320 parameters

// One operand carries parameters: nothing can count twice, the total is exact.
expectType<SymbolicTensor<[null, 8, 8, 16], 2320, "8*8*2304">>(add([conv, x]));
expectType<SymbolicTensor<[null, 8, 8, 16], 2320, "8*8*2304">>(multiply([conv, x]));
expectType<SymbolicTensor<[null, 8, 8, 16], 2320, "8*8*2304">>(average([conv, x, x]));
expectType<SymbolicTensor<[null, 8, 8, 16], 2320, "8*8*2304">>(subtract([conv, x]));
expectType<SymbolicTensor<[null, 8, 8, 16], 0, "0">>(maximum([x, x]));
// Two operands with parameters: the type checker cannot see what they share...
const other = x.conv2d({ filters: 16, kernelSize: 1 }); // 272
expectType<SymbolicTensor<[null, 8, 8, 16], number, number>>(minimum([conv, other]));
// ...unless the caller names the shared ancestor (checked at run time).
expectType<SymbolicTensor<[null, 8, 8, 16], 2592, "8*8*2304+8*8*256">>(add([conv, other], { shared: x }));
expectType<SymbolicTensor<[null, 8, 8, 16], 2592, "8*8*2304+8*8*256">>(add([conv, other], { shared: "none" }));

// Broadcasting over non-batch sizes, aligned from the right.
const row = input({ shape: [1, 16] });
const seq = input({ shape: [4, 16] });
expectType<SymbolicTensor<[null, 4, 16], 0, "0">>(add([seq, row]));
expectType<SymbolicTensor<[null, 4, 16], 0, "0">>(add([seq, input({ shape: [16] })]));
expectType<SymbolicTensor<[null, null, 16], 0, "0">>(add([seq, input({ shape: [null, 16] })]));

// Concatenate: the axis sizes add up; null stays null.
expectType<SymbolicTensor<[null, 8, 8, 32], 2320, "8*8*2304">>(concatenate([conv, x]));
expectType<SymbolicTensor<[null, 8, 16, 16], 2320, "8*8*2304">>(concatenate([conv, x], { axis: 2 }));
expectType<SymbolicTensor<[null, 8, 16], 0, "0">>(concatenate([input({ shape: [3, 16] }), input({ shape: [5, 16] })], { axis: 1 }));
expectType<SymbolicTensor<[null, null, 16], 0, "0">>(concatenate([input({ shape: [null, 16] }), seq], { axis: -2 }));

// Dot over one axis each.
expectType<SymbolicTensor<[null, 1], 0, "1*4">>(dot([input({ shape: [4] }), input({ shape: [4] })], { axes: 1 }));
expectType<SymbolicTensor<[null, 3, 5], 0, "3*5*4">>(dot([input({ shape: [4, 3] }), input({ shape: [4, 5] })], { axes: 1 }));
expectType<SymbolicTensor<[null, 3, 5], 0, "3*5*4">>(dot([input({ shape: [3, 4] }), input({ shape: [5, 4] })], { axes: [2, -1] }));

// Mistakes: the offending operand or option, one sentence.
// @ts-expect-error the offending operand or option carries the sentence
add([conv, x.maxPooling2d({ poolSize: 2 })]);
// @ts-expect-error the offending operand or option carries the sentence
concatenate([conv, x.maxPooling2d({ poolSize: 2 })]);
// @ts-expect-error the offending operand or option carries the sentence
concatenate([conv, x], { axis: 0 });
// @ts-expect-error the offending operand or option carries the sentence
concatenate([conv, x], { axis: 4 });
// @ts-expect-error the offending operand or option carries the sentence
subtract([x, x, x]);
// @ts-expect-error the offending operand or option carries the sentence
add([x]);
// @ts-expect-error the offending operand or option carries the sentence
dot([input({ shape: [4] }), input({ shape: [5] })], { axes: 1 });
// @ts-expect-error the offending operand or option carries the sentence
dot([input({ shape: [4] }), input({ shape: [4] })], { axes: 0 });

// Combinators: each branch starts from a tensor with no parameters of its own.
const r = x.residual((b) => {
  expectType<SymbolicTensor<[null, 8, 8, 16], 0, "0">>(b);
  return b.conv2d({ filters: 16, kernelSize: 3, padding: "same" });
});
expectType<SymbolicTensor<[null, 8, 8, 16], 2320, "8*8*2304">>(r);
expectType<SymbolicTensor<[null, 8, 8, 16], 4640, "8*8*2304+8*8*2304">>(r.residual((b) => b.conv2d({ filters: 16, kernelSize: 3, padding: "same" })));
const projected = x.residual((b) => b.conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: "same" }), {
  shortcut: (s) => s.conv2d({ filters: 32, kernelSize: 1, strides: 2 }),
});
expectType<SymbolicTensor<[null, 4, 4, 32], 5184, "4*4*4608+4*4*512">>(projected);
// @ts-expect-error the offending operand or option carries the sentence
x.residual((b) => b.conv2d({ filters: 8, kernelSize: 3, padding: "same" }));
const inception = x.branches(
  [
    (b) => b.conv2d({ filters: 8, kernelSize: 1 }),
    (b) => b.conv2d({ filters: 8, kernelSize: 3, padding: "same" }),
    (b) => b.maxPooling2d({ poolSize: 3, strides: 1, padding: "same" }),
  ],
  { merge: "concatenate" },
);
expectType<SymbolicTensor<[null, 8, 8, 32], 1296, "8*8*128+8*8*1152">>(inception);
const heads = conv.branches([(b) => b.flatten().dense({ units: 10 }), (b) => b.flatten().dense({ units: 1 })]);
expectType<readonly [SymbolicTensor<[null, 10], 12570, "8*8*2304+1024*10">, SymbolicTensor<[null, 1], 3345, "8*8*2304+1024*1">]>(heads);

// Models with several inputs and outputs, typed predict.
const image = input({ shape: [6, 6, 2] });
const meta = input({ shape: [3] });
const trunk = concatenate([image.conv2d({ filters: 4, kernelSize: 3 }).flatten(), meta]);
const label = trunk.dense({ units: 3 });
const score = trunk.dense({ units: 1 });
const listModel = model({ inputs: [image, meta], outputs: [label, score], shared: trunk });
expectType<Model<readonly [[null, 6, 6, 2], [null, 3]], readonly [[null, 3], [null, 1]], 348, "4*4*72+67*3+67*1">>(listModel);
const [p1, p2] = listModel.predict([tensor([2, 6, 6, 2]), tensor([2, 3])]);
expectType<Tensor<[2, 3]>>(p1);
expectType<Tensor<[2, 1]>>(p2);
// @ts-expect-error the offending operand or option carries the sentence
listModel.predict([tensor([2, 6, 6, 2])]);
const recordModel = model({ inputs: { image, meta }, outputs: { label, score }, shared: trunk });
expectType<{ readonly label: [null, 3]; readonly score: [null, 1] }>(recordModel.outputShape);
type _p = Expect<Equal<ParamCount<typeof recordModel>, 348>>;
expectType<Tensor<[1, 1]>>(recordModel.predict({ image: tensor([1, 6, 6, 2]), meta: tensor([1, 3]) }).score);
// Without `shared`, two outputs with parameters give an honest `number`.
expectType<number>(null! as ParamCount<typeof modelWithout>);
const modelWithout = model({ inputs: [image, meta], outputs: [label, score] });
type _n = Expect<Equal<ParamCount<typeof modelWithout>, number>>;

// A model applied as a layer adds its whole total to its input's.
const inner = model({ inputs: meta, outputs: meta.dense({ units: 2 }) });
const outer = input({ shape: [3] });
expectType<SymbolicTensor<[null, 2], 8, "3*2">>(inner.apply(outer));
// Inputs with parameters may already hold this model (applied twice in a row it counts once): number.
expectType<SymbolicTensor<[null, 2], number, "3*3+3*2">>(inner.apply(outer.dense({ units: 3 })));
expectType<SymbolicTensor<[null, 2], number, "3*3+3*2">>(inner.apply(outer.dense({ units: 3 })));
// @ts-expect-error the offending operand or option carries the sentence
inner.apply(input({ shape: [4] }));

// Layers as values: shapes and totals unknown after the call (the runtime checks them).
const sharedDense = layers.dense({ units: 4 });
expectType<SymbolicTensor<Shape, number, number>>(sharedDense.apply(meta));
expectType<SymbolicTensor<Shape, number, number> | readonly SymbolicTensor<Shape, number, number>[]>(layers.lstm({ units: 2 }).apply(input({ shape: [5, 2] })));

// An operand of unknown rank (a layer value's result) in any position: the merge is not refused, its shape is unknown.
const looseValue = layers.dense({ units: 2 }).apply(meta);
expectType<SymbolicTensor<Shape, number, number>>(concatenate([meta, looseValue]));
expectType<SymbolicTensor<[null, ...Shape[number][]], number, number>>(add([looseValue, input({ shape: [4] })]));
// OutputShape and InputShape read tuple and record models too.
type _o = Expect<Equal<OutputShape<typeof listModel>, readonly [[null, 3], [null, 1]]>>;

// A nested model's outputs keep its own shapes, as at run time while the graph is defined.
const anyImages = input({ shape: [null, null, 1] });
const spatial = model({ inputs: anyImages, outputs: anyImages.conv2d({ filters: 2, kernelSize: 3 }) });
expectType<SymbolicTensor<[null, null, null, 2], 20, number>>(spatial.apply(input({ shape: [8, 8, 1] })));

/**
 * MobileNetV2 (Sandler et al., 2018) in the layout of Keras applications
 * (`keras.applications.MobileNetV2(alpha=1.0, include_top=True,
 * weights=None)`, 224x224 inputs): a strided 3x3 stem, seventeen inverted
 * residual blocks (1x1 expansion, 3x3 depthwise, linear 1x1 projection, an
 * identity shortcut where the shape allows), a 1x1 convolution to 1280
 * channels, global average pooling and a 1000-way softmax. Layer names match
 * the Keras ones (`Conv1`, `expanded_conv_depthwise`, `block_1_expand`, ...,
 * `predictions`); strided blocks pad `((0, 1), (0, 1))` first, as Keras'
 * `correct_pad` does for even sizes.
 *
 * The type checker computes the output shape and the exact total,
 * 3,538,984 parameters of which 34,112 are batch-normalisation statistics
 * (non-trainable); the assertions at the bottom fail to compile if either is
 * off. Each block is written out in full, as in `resnet50.ts`.
 */
import { input, model } from "../src/index.js";
import type { FlopCount, OutputShape, ParamCount } from "../src/index.js";

const bn = (name: string) => ({ epsilon: 1e-3, momentum: 0.999, name }) as const;
const relu6 = (name: string) => ({ maxValue: 6, name }) as const;

/**
 * Builds MobileNetV2 (alpha 1.0, 224x224) with Keras layer names.
 *
 * @example
 * const m = mobilenetV2();
 * m.countParams(); // 3538984
 */
export function mobilenetV2() {
  const inputs = input({ shape: [224, 224, 3], name: "input_layer" });
  const stem = inputs
    .conv2d({ filters: 32, kernelSize: 3, strides: 2, padding: "same", useBias: false, name: "Conv1" })
    .batchNormalization(bn("bn_Conv1"))
    .reLU(relu6("Conv1_relu"));
  const b0 = stem
    .depthwiseConv2d({ kernelSize: 3, strides: 1, padding: "same", useBias: false, name: "expanded_conv_depthwise" })
    .batchNormalization(bn("expanded_conv_depthwise_BN"))
    .reLU(relu6("expanded_conv_depthwise_relu"))
    .conv2d({ filters: 16, kernelSize: 1, padding: "same", useBias: false, name: "expanded_conv_project" })
    .batchNormalization(bn("expanded_conv_project_BN"));
  const b1 = b0
    .conv2d({ filters: 96, kernelSize: 1, padding: "same", useBias: false, name: "block_1_expand" })
    .batchNormalization(bn("block_1_expand_BN"))
    .reLU(relu6("block_1_expand_relu"))
    .zeroPadding2d({
      padding: [
        [0, 1],
        [0, 1],
      ],
      name: "block_1_pad",
    })
    .depthwiseConv2d({ kernelSize: 3, strides: 2, padding: "valid", useBias: false, name: "block_1_depthwise" })
    .batchNormalization(bn("block_1_depthwise_BN"))
    .reLU(relu6("block_1_depthwise_relu"))
    .conv2d({ filters: 24, kernelSize: 1, padding: "same", useBias: false, name: "block_1_project" })
    .batchNormalization(bn("block_1_project_BN"));
  const b2 = b1.residual(
    (x) =>
      x
        .conv2d({ filters: 144, kernelSize: 1, padding: "same", useBias: false, name: "block_2_expand" })
        .batchNormalization(bn("block_2_expand_BN"))
        .reLU(relu6("block_2_expand_relu"))
        .depthwiseConv2d({ kernelSize: 3, strides: 1, padding: "same", useBias: false, name: "block_2_depthwise" })
        .batchNormalization(bn("block_2_depthwise_BN"))
        .reLU(relu6("block_2_depthwise_relu"))
        .conv2d({ filters: 24, kernelSize: 1, padding: "same", useBias: false, name: "block_2_project" })
        .batchNormalization(bn("block_2_project_BN")),
    { shortcutFirst: true, name: "block_2_add" },
  );
  const b3 = b2
    .conv2d({ filters: 144, kernelSize: 1, padding: "same", useBias: false, name: "block_3_expand" })
    .batchNormalization(bn("block_3_expand_BN"))
    .reLU(relu6("block_3_expand_relu"))
    .zeroPadding2d({
      padding: [
        [0, 1],
        [0, 1],
      ],
      name: "block_3_pad",
    })
    .depthwiseConv2d({ kernelSize: 3, strides: 2, padding: "valid", useBias: false, name: "block_3_depthwise" })
    .batchNormalization(bn("block_3_depthwise_BN"))
    .reLU(relu6("block_3_depthwise_relu"))
    .conv2d({ filters: 32, kernelSize: 1, padding: "same", useBias: false, name: "block_3_project" })
    .batchNormalization(bn("block_3_project_BN"));
  const b4 = b3.residual(
    (x) =>
      x
        .conv2d({ filters: 192, kernelSize: 1, padding: "same", useBias: false, name: "block_4_expand" })
        .batchNormalization(bn("block_4_expand_BN"))
        .reLU(relu6("block_4_expand_relu"))
        .depthwiseConv2d({ kernelSize: 3, strides: 1, padding: "same", useBias: false, name: "block_4_depthwise" })
        .batchNormalization(bn("block_4_depthwise_BN"))
        .reLU(relu6("block_4_depthwise_relu"))
        .conv2d({ filters: 32, kernelSize: 1, padding: "same", useBias: false, name: "block_4_project" })
        .batchNormalization(bn("block_4_project_BN")),
    { shortcutFirst: true, name: "block_4_add" },
  );
  const b5 = b4.residual(
    (x) =>
      x
        .conv2d({ filters: 192, kernelSize: 1, padding: "same", useBias: false, name: "block_5_expand" })
        .batchNormalization(bn("block_5_expand_BN"))
        .reLU(relu6("block_5_expand_relu"))
        .depthwiseConv2d({ kernelSize: 3, strides: 1, padding: "same", useBias: false, name: "block_5_depthwise" })
        .batchNormalization(bn("block_5_depthwise_BN"))
        .reLU(relu6("block_5_depthwise_relu"))
        .conv2d({ filters: 32, kernelSize: 1, padding: "same", useBias: false, name: "block_5_project" })
        .batchNormalization(bn("block_5_project_BN")),
    { shortcutFirst: true, name: "block_5_add" },
  );
  const b6 = b5
    .conv2d({ filters: 192, kernelSize: 1, padding: "same", useBias: false, name: "block_6_expand" })
    .batchNormalization(bn("block_6_expand_BN"))
    .reLU(relu6("block_6_expand_relu"))
    .zeroPadding2d({
      padding: [
        [0, 1],
        [0, 1],
      ],
      name: "block_6_pad",
    })
    .depthwiseConv2d({ kernelSize: 3, strides: 2, padding: "valid", useBias: false, name: "block_6_depthwise" })
    .batchNormalization(bn("block_6_depthwise_BN"))
    .reLU(relu6("block_6_depthwise_relu"))
    .conv2d({ filters: 64, kernelSize: 1, padding: "same", useBias: false, name: "block_6_project" })
    .batchNormalization(bn("block_6_project_BN"));
  const b7 = b6.residual(
    (x) =>
      x
        .conv2d({ filters: 384, kernelSize: 1, padding: "same", useBias: false, name: "block_7_expand" })
        .batchNormalization(bn("block_7_expand_BN"))
        .reLU(relu6("block_7_expand_relu"))
        .depthwiseConv2d({ kernelSize: 3, strides: 1, padding: "same", useBias: false, name: "block_7_depthwise" })
        .batchNormalization(bn("block_7_depthwise_BN"))
        .reLU(relu6("block_7_depthwise_relu"))
        .conv2d({ filters: 64, kernelSize: 1, padding: "same", useBias: false, name: "block_7_project" })
        .batchNormalization(bn("block_7_project_BN")),
    { shortcutFirst: true, name: "block_7_add" },
  );
  const b8 = b7.residual(
    (x) =>
      x
        .conv2d({ filters: 384, kernelSize: 1, padding: "same", useBias: false, name: "block_8_expand" })
        .batchNormalization(bn("block_8_expand_BN"))
        .reLU(relu6("block_8_expand_relu"))
        .depthwiseConv2d({ kernelSize: 3, strides: 1, padding: "same", useBias: false, name: "block_8_depthwise" })
        .batchNormalization(bn("block_8_depthwise_BN"))
        .reLU(relu6("block_8_depthwise_relu"))
        .conv2d({ filters: 64, kernelSize: 1, padding: "same", useBias: false, name: "block_8_project" })
        .batchNormalization(bn("block_8_project_BN")),
    { shortcutFirst: true, name: "block_8_add" },
  );
  const b9 = b8.residual(
    (x) =>
      x
        .conv2d({ filters: 384, kernelSize: 1, padding: "same", useBias: false, name: "block_9_expand" })
        .batchNormalization(bn("block_9_expand_BN"))
        .reLU(relu6("block_9_expand_relu"))
        .depthwiseConv2d({ kernelSize: 3, strides: 1, padding: "same", useBias: false, name: "block_9_depthwise" })
        .batchNormalization(bn("block_9_depthwise_BN"))
        .reLU(relu6("block_9_depthwise_relu"))
        .conv2d({ filters: 64, kernelSize: 1, padding: "same", useBias: false, name: "block_9_project" })
        .batchNormalization(bn("block_9_project_BN")),
    { shortcutFirst: true, name: "block_9_add" },
  );
  const b10 = b9
    .conv2d({ filters: 384, kernelSize: 1, padding: "same", useBias: false, name: "block_10_expand" })
    .batchNormalization(bn("block_10_expand_BN"))
    .reLU(relu6("block_10_expand_relu"))
    .depthwiseConv2d({ kernelSize: 3, strides: 1, padding: "same", useBias: false, name: "block_10_depthwise" })
    .batchNormalization(bn("block_10_depthwise_BN"))
    .reLU(relu6("block_10_depthwise_relu"))
    .conv2d({ filters: 96, kernelSize: 1, padding: "same", useBias: false, name: "block_10_project" })
    .batchNormalization(bn("block_10_project_BN"));
  const b11 = b10.residual(
    (x) =>
      x
        .conv2d({ filters: 576, kernelSize: 1, padding: "same", useBias: false, name: "block_11_expand" })
        .batchNormalization(bn("block_11_expand_BN"))
        .reLU(relu6("block_11_expand_relu"))
        .depthwiseConv2d({ kernelSize: 3, strides: 1, padding: "same", useBias: false, name: "block_11_depthwise" })
        .batchNormalization(bn("block_11_depthwise_BN"))
        .reLU(relu6("block_11_depthwise_relu"))
        .conv2d({ filters: 96, kernelSize: 1, padding: "same", useBias: false, name: "block_11_project" })
        .batchNormalization(bn("block_11_project_BN")),
    { shortcutFirst: true, name: "block_11_add" },
  );
  const b12 = b11.residual(
    (x) =>
      x
        .conv2d({ filters: 576, kernelSize: 1, padding: "same", useBias: false, name: "block_12_expand" })
        .batchNormalization(bn("block_12_expand_BN"))
        .reLU(relu6("block_12_expand_relu"))
        .depthwiseConv2d({ kernelSize: 3, strides: 1, padding: "same", useBias: false, name: "block_12_depthwise" })
        .batchNormalization(bn("block_12_depthwise_BN"))
        .reLU(relu6("block_12_depthwise_relu"))
        .conv2d({ filters: 96, kernelSize: 1, padding: "same", useBias: false, name: "block_12_project" })
        .batchNormalization(bn("block_12_project_BN")),
    { shortcutFirst: true, name: "block_12_add" },
  );
  const b13 = b12
    .conv2d({ filters: 576, kernelSize: 1, padding: "same", useBias: false, name: "block_13_expand" })
    .batchNormalization(bn("block_13_expand_BN"))
    .reLU(relu6("block_13_expand_relu"))
    .zeroPadding2d({
      padding: [
        [0, 1],
        [0, 1],
      ],
      name: "block_13_pad",
    })
    .depthwiseConv2d({ kernelSize: 3, strides: 2, padding: "valid", useBias: false, name: "block_13_depthwise" })
    .batchNormalization(bn("block_13_depthwise_BN"))
    .reLU(relu6("block_13_depthwise_relu"))
    .conv2d({ filters: 160, kernelSize: 1, padding: "same", useBias: false, name: "block_13_project" })
    .batchNormalization(bn("block_13_project_BN"));
  const b14 = b13.residual(
    (x) =>
      x
        .conv2d({ filters: 960, kernelSize: 1, padding: "same", useBias: false, name: "block_14_expand" })
        .batchNormalization(bn("block_14_expand_BN"))
        .reLU(relu6("block_14_expand_relu"))
        .depthwiseConv2d({ kernelSize: 3, strides: 1, padding: "same", useBias: false, name: "block_14_depthwise" })
        .batchNormalization(bn("block_14_depthwise_BN"))
        .reLU(relu6("block_14_depthwise_relu"))
        .conv2d({ filters: 160, kernelSize: 1, padding: "same", useBias: false, name: "block_14_project" })
        .batchNormalization(bn("block_14_project_BN")),
    { shortcutFirst: true, name: "block_14_add" },
  );
  const b15 = b14.residual(
    (x) =>
      x
        .conv2d({ filters: 960, kernelSize: 1, padding: "same", useBias: false, name: "block_15_expand" })
        .batchNormalization(bn("block_15_expand_BN"))
        .reLU(relu6("block_15_expand_relu"))
        .depthwiseConv2d({ kernelSize: 3, strides: 1, padding: "same", useBias: false, name: "block_15_depthwise" })
        .batchNormalization(bn("block_15_depthwise_BN"))
        .reLU(relu6("block_15_depthwise_relu"))
        .conv2d({ filters: 160, kernelSize: 1, padding: "same", useBias: false, name: "block_15_project" })
        .batchNormalization(bn("block_15_project_BN")),
    { shortcutFirst: true, name: "block_15_add" },
  );
  const b16 = b15
    .conv2d({ filters: 960, kernelSize: 1, padding: "same", useBias: false, name: "block_16_expand" })
    .batchNormalization(bn("block_16_expand_BN"))
    .reLU(relu6("block_16_expand_relu"))
    .depthwiseConv2d({ kernelSize: 3, strides: 1, padding: "same", useBias: false, name: "block_16_depthwise" })
    .batchNormalization(bn("block_16_depthwise_BN"))
    .reLU(relu6("block_16_depthwise_relu"))
    .conv2d({ filters: 320, kernelSize: 1, padding: "same", useBias: false, name: "block_16_project" })
    .batchNormalization(bn("block_16_project_BN"));
  const outputs = b16
    .conv2d({ filters: 1280, kernelSize: 1, useBias: false, name: "Conv_1" })
    .batchNormalization(bn("Conv_1_bn"))
    .reLU(relu6("out_relu"))
    .globalAveragePooling2d({ name: "global_average_pooling2d" })
    .dense({ units: 1000, activation: "softmax", name: "predictions" });
  return model({ inputs, outputs, name: "mobilenetv2_1.00_224" });
}

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
type MobileNetV2 = ReturnType<typeof mobilenetV2>;
/** Compile-time checks: the output shape and the exact parameter total of Keras' MobileNetV2. */
export type MobileNetV2Checks = [
  Expect<Equal<OutputShape<MobileNetV2>, [null, 1000]>>,
  Expect<Equal<ParamCount<MobileNetV2>, 3538984>>,
  Expect<Equal<FlopCount<MobileNetV2>, 300774272>>,
];

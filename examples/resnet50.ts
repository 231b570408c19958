/**
 * ResNet50 (He et al., 2015) in the layout of Keras applications
 * (`keras.applications.ResNet50(include_top=True, weights=None)`): a 7x7
 * stem, four stacks of bottleneck residual blocks (3, 4, 6 and 3 blocks),
 * global average pooling and a 1000-way softmax. Layer names match the Keras
 * ones (`conv1_conv`, `conv2_block1_0_conv`, ..., `predictions`), and every
 * block adds `[shortcut, main]` in Keras order.
 *
 * The type checker computes the output shape and the exact total,
 * 25,636,712 parameters of which 53,120 are batch-normalisation statistics
 * (non-trainable); the assertions at the bottom fail to compile if either is
 * off. Each block is written out in full: a helper generic over the input
 * shape would hide the concrete shapes the type checker needs.
 * Building it allocates about 100 MB of float32 weights.
 */
import { input, model } from "../src/index.js";
import type { FlopCount, OutputShape, ParamCount } from "../src/index.js";

const bn = (name: string) => ({ axis: 3, epsilon: 1.001e-5, name }) as const;
const relu = (name: string) => ({ activation: "relu", name }) as const;

/**
 * Builds ResNet50 with Keras layer names.
 *
 * @example
 * const m = resnet50();
 * m.countParams(); // 25636712
 */
export function resnet50() {
  const inputs = input({ shape: [224, 224, 3], name: "input_layer" });
  const stem = inputs
    .zeroPadding2d({
      padding: [
        [3, 3],
        [3, 3],
      ],
      name: "conv1_pad",
    })
    .conv2d({ filters: 64, kernelSize: 7, strides: 2, name: "conv1_conv" })
    .batchNormalization(bn("conv1_bn"))
    .activation(relu("conv1_relu"))
    .zeroPadding2d({
      padding: [
        [1, 1],
        [1, 1],
      ],
      name: "pool1_pad",
    })
    .maxPooling2d({ poolSize: 3, strides: 2, name: "pool1_pool" });
  const conv2b1 = stem
    .residual(
      (b) =>
        b
          .conv2d({ filters: 64, kernelSize: 1, strides: 1, name: "conv2_block1_1_conv" })
          .batchNormalization(bn("conv2_block1_1_bn"))
          .activation(relu("conv2_block1_1_relu"))
          .conv2d({ filters: 64, kernelSize: 3, padding: "same", name: "conv2_block1_2_conv" })
          .batchNormalization(bn("conv2_block1_2_bn"))
          .activation(relu("conv2_block1_2_relu"))
          .conv2d({ filters: 256, kernelSize: 1, name: "conv2_block1_3_conv" })
          .batchNormalization(bn("conv2_block1_3_bn")),
      {
        shortcut: (s) => s.conv2d({ filters: 256, kernelSize: 1, strides: 1, name: "conv2_block1_0_conv" }).batchNormalization(bn("conv2_block1_0_bn")),
        shortcutFirst: true,
        name: "conv2_block1_add",
      },
    )
    .activation(relu("conv2_block1_out"));
  const conv2b2 = conv2b1
    .residual(
      (b) =>
        b
          .conv2d({ filters: 64, kernelSize: 1, name: "conv2_block2_1_conv" })
          .batchNormalization(bn("conv2_block2_1_bn"))
          .activation(relu("conv2_block2_1_relu"))
          .conv2d({ filters: 64, kernelSize: 3, padding: "same", name: "conv2_block2_2_conv" })
          .batchNormalization(bn("conv2_block2_2_bn"))
          .activation(relu("conv2_block2_2_relu"))
          .conv2d({ filters: 256, kernelSize: 1, name: "conv2_block2_3_conv" })
          .batchNormalization(bn("conv2_block2_3_bn")),
      { shortcutFirst: true, name: "conv2_block2_add" },
    )
    .activation(relu("conv2_block2_out"));
  const conv2b3 = conv2b2
    .residual(
      (b) =>
        b
          .conv2d({ filters: 64, kernelSize: 1, name: "conv2_block3_1_conv" })
          .batchNormalization(bn("conv2_block3_1_bn"))
          .activation(relu("conv2_block3_1_relu"))
          .conv2d({ filters: 64, kernelSize: 3, padding: "same", name: "conv2_block3_2_conv" })
          .batchNormalization(bn("conv2_block3_2_bn"))
          .activation(relu("conv2_block3_2_relu"))
          .conv2d({ filters: 256, kernelSize: 1, name: "conv2_block3_3_conv" })
          .batchNormalization(bn("conv2_block3_3_bn")),
      { shortcutFirst: true, name: "conv2_block3_add" },
    )
    .activation(relu("conv2_block3_out"));
  const conv3b1 = conv2b3
    .residual(
      (b) =>
        b
          .conv2d({ filters: 128, kernelSize: 1, strides: 2, name: "conv3_block1_1_conv" })
          .batchNormalization(bn("conv3_block1_1_bn"))
          .activation(relu("conv3_block1_1_relu"))
          .conv2d({ filters: 128, kernelSize: 3, padding: "same", name: "conv3_block1_2_conv" })
          .batchNormalization(bn("conv3_block1_2_bn"))
          .activation(relu("conv3_block1_2_relu"))
          .conv2d({ filters: 512, kernelSize: 1, name: "conv3_block1_3_conv" })
          .batchNormalization(bn("conv3_block1_3_bn")),
      {
        shortcut: (s) => s.conv2d({ filters: 512, kernelSize: 1, strides: 2, name: "conv3_block1_0_conv" }).batchNormalization(bn("conv3_block1_0_bn")),
        shortcutFirst: true,
        name: "conv3_block1_add",
      },
    )
    .activation(relu("conv3_block1_out"));
  const conv3b2 = conv3b1
    .residual(
      (b) =>
        b
          .conv2d({ filters: 128, kernelSize: 1, name: "conv3_block2_1_conv" })
          .batchNormalization(bn("conv3_block2_1_bn"))
          .activation(relu("conv3_block2_1_relu"))
          .conv2d({ filters: 128, kernelSize: 3, padding: "same", name: "conv3_block2_2_conv" })
          .batchNormalization(bn("conv3_block2_2_bn"))
          .activation(relu("conv3_block2_2_relu"))
          .conv2d({ filters: 512, kernelSize: 1, name: "conv3_block2_3_conv" })
          .batchNormalization(bn("conv3_block2_3_bn")),
      { shortcutFirst: true, name: "conv3_block2_add" },
    )
    .activation(relu("conv3_block2_out"));
  const conv3b3 = conv3b2
    .residual(
      (b) =>
        b
          .conv2d({ filters: 128, kernelSize: 1, name: "conv3_block3_1_conv" })
          .batchNormalization(bn("conv3_block3_1_bn"))
          .activation(relu("conv3_block3_1_relu"))
          .conv2d({ filters: 128, kernelSize: 3, padding: "same", name: "conv3_block3_2_conv" })
          .batchNormalization(bn("conv3_block3_2_bn"))
          .activation(relu("conv3_block3_2_relu"))
          .conv2d({ filters: 512, kernelSize: 1, name: "conv3_block3_3_conv" })
          .batchNormalization(bn("conv3_block3_3_bn")),
      { shortcutFirst: true, name: "conv3_block3_add" },
    )
    .activation(relu("conv3_block3_out"));
  const conv3b4 = conv3b3
    .residual(
      (b) =>
        b
          .conv2d({ filters: 128, kernelSize: 1, name: "conv3_block4_1_conv" })
          .batchNormalization(bn("conv3_block4_1_bn"))
          .activation(relu("conv3_block4_1_relu"))
          .conv2d({ filters: 128, kernelSize: 3, padding: "same", name: "conv3_block4_2_conv" })
          .batchNormalization(bn("conv3_block4_2_bn"))
          .activation(relu("conv3_block4_2_relu"))
          .conv2d({ filters: 512, kernelSize: 1, name: "conv3_block4_3_conv" })
          .batchNormalization(bn("conv3_block4_3_bn")),
      { shortcutFirst: true, name: "conv3_block4_add" },
    )
    .activation(relu("conv3_block4_out"));
  const conv4b1 = conv3b4
    .residual(
      (b) =>
        b
          .conv2d({ filters: 256, kernelSize: 1, strides: 2, name: "conv4_block1_1_conv" })
          .batchNormalization(bn("conv4_block1_1_bn"))
          .activation(relu("conv4_block1_1_relu"))
          .conv2d({ filters: 256, kernelSize: 3, padding: "same", name: "conv4_block1_2_conv" })
          .batchNormalization(bn("conv4_block1_2_bn"))
          .activation(relu("conv4_block1_2_relu"))
          .conv2d({ filters: 1024, kernelSize: 1, name: "conv4_block1_3_conv" })
          .batchNormalization(bn("conv4_block1_3_bn")),
      {
        shortcut: (s) => s.conv2d({ filters: 1024, kernelSize: 1, strides: 2, name: "conv4_block1_0_conv" }).batchNormalization(bn("conv4_block1_0_bn")),
        shortcutFirst: true,
        name: "conv4_block1_add",
      },
    )
    .activation(relu("conv4_block1_out"));
  const conv4b2 = conv4b1
    .residual(
      (b) =>
        b
          .conv2d({ filters: 256, kernelSize: 1, name: "conv4_block2_1_conv" })
          .batchNormalization(bn("conv4_block2_1_bn"))
          .activation(relu("conv4_block2_1_relu"))
          .conv2d({ filters: 256, kernelSize: 3, padding: "same", name: "conv4_block2_2_conv" })
          .batchNormalization(bn("conv4_block2_2_bn"))
          .activation(relu("conv4_block2_2_relu"))
          .conv2d({ filters: 1024, kernelSize: 1, name: "conv4_block2_3_conv" })
          .batchNormalization(bn("conv4_block2_3_bn")),
      { shortcutFirst: true, name: "conv4_block2_add" },
    )
    .activation(relu("conv4_block2_out"));
  const conv4b3 = conv4b2
    .residual(
      (b) =>
        b
          .conv2d({ filters: 256, kernelSize: 1, name: "conv4_block3_1_conv" })
          .batchNormalization(bn("conv4_block3_1_bn"))
          .activation(relu("conv4_block3_1_relu"))
          .conv2d({ filters: 256, kernelSize: 3, padding: "same", name: "conv4_block3_2_conv" })
          .batchNormalization(bn("conv4_block3_2_bn"))
          .activation(relu("conv4_block3_2_relu"))
          .conv2d({ filters: 1024, kernelSize: 1, name: "conv4_block3_3_conv" })
          .batchNormalization(bn("conv4_block3_3_bn")),
      { shortcutFirst: true, name: "conv4_block3_add" },
    )
    .activation(relu("conv4_block3_out"));
  const conv4b4 = conv4b3
    .residual(
      (b) =>
        b
          .conv2d({ filters: 256, kernelSize: 1, name: "conv4_block4_1_conv" })
          .batchNormalization(bn("conv4_block4_1_bn"))
          .activation(relu("conv4_block4_1_relu"))
          .conv2d({ filters: 256, kernelSize: 3, padding: "same", name: "conv4_block4_2_conv" })
          .batchNormalization(bn("conv4_block4_2_bn"))
          .activation(relu("conv4_block4_2_relu"))
          .conv2d({ filters: 1024, kernelSize: 1, name: "conv4_block4_3_conv" })
          .batchNormalization(bn("conv4_block4_3_bn")),
      { shortcutFirst: true, name: "conv4_block4_add" },
    )
    .activation(relu("conv4_block4_out"));
  const conv4b5 = conv4b4
    .residual(
      (b) =>
        b
          .conv2d({ filters: 256, kernelSize: 1, name: "conv4_block5_1_conv" })
          .batchNormalization(bn("conv4_block5_1_bn"))
          .activation(relu("conv4_block5_1_relu"))
          .conv2d({ filters: 256, kernelSize: 3, padding: "same", name: "conv4_block5_2_conv" })
          .batchNormalization(bn("conv4_block5_2_bn"))
          .activation(relu("conv4_block5_2_relu"))
          .conv2d({ filters: 1024, kernelSize: 1, name: "conv4_block5_3_conv" })
          .batchNormalization(bn("conv4_block5_3_bn")),
      { shortcutFirst: true, name: "conv4_block5_add" },
    )
    .activation(relu("conv4_block5_out"));
  const conv4b6 = conv4b5
    .residual(
      (b) =>
        b
          .conv2d({ filters: 256, kernelSize: 1, name: "conv4_block6_1_conv" })
          .batchNormalization(bn("conv4_block6_1_bn"))
          .activation(relu("conv4_block6_1_relu"))
          .conv2d({ filters: 256, kernelSize: 3, padding: "same", name: "conv4_block6_2_conv" })
          .batchNormalization(bn("conv4_block6_2_bn"))
          .activation(relu("conv4_block6_2_relu"))
          .conv2d({ filters: 1024, kernelSize: 1, name: "conv4_block6_3_conv" })
          .batchNormalization(bn("conv4_block6_3_bn")),
      { shortcutFirst: true, name: "conv4_block6_add" },
    )
    .activation(relu("conv4_block6_out"));
  const conv5b1 = conv4b6
    .residual(
      (b) =>
        b
          .conv2d({ filters: 512, kernelSize: 1, strides: 2, name: "conv5_block1_1_conv" })
          .batchNormalization(bn("conv5_block1_1_bn"))
          .activation(relu("conv5_block1_1_relu"))
          .conv2d({ filters: 512, kernelSize: 3, padding: "same", name: "conv5_block1_2_conv" })
          .batchNormalization(bn("conv5_block1_2_bn"))
          .activation(relu("conv5_block1_2_relu"))
          .conv2d({ filters: 2048, kernelSize: 1, name: "conv5_block1_3_conv" })
          .batchNormalization(bn("conv5_block1_3_bn")),
      {
        shortcut: (s) => s.conv2d({ filters: 2048, kernelSize: 1, strides: 2, name: "conv5_block1_0_conv" }).batchNormalization(bn("conv5_block1_0_bn")),
        shortcutFirst: true,
        name: "conv5_block1_add",
      },
    )
    .activation(relu("conv5_block1_out"));
  const conv5b2 = conv5b1
    .residual(
      (b) =>
        b
          .conv2d({ filters: 512, kernelSize: 1, name: "conv5_block2_1_conv" })
          .batchNormalization(bn("conv5_block2_1_bn"))
          .activation(relu("conv5_block2_1_relu"))
          .conv2d({ filters: 512, kernelSize: 3, padding: "same", name: "conv5_block2_2_conv" })
          .batchNormalization(bn("conv5_block2_2_bn"))
          .activation(relu("conv5_block2_2_relu"))
          .conv2d({ filters: 2048, kernelSize: 1, name: "conv5_block2_3_conv" })
          .batchNormalization(bn("conv5_block2_3_bn")),
      { shortcutFirst: true, name: "conv5_block2_add" },
    )
    .activation(relu("conv5_block2_out"));
  const conv5b3 = conv5b2
    .residual(
      (b) =>
        b
          .conv2d({ filters: 512, kernelSize: 1, name: "conv5_block3_1_conv" })
          .batchNormalization(bn("conv5_block3_1_bn"))
          .activation(relu("conv5_block3_1_relu"))
          .conv2d({ filters: 512, kernelSize: 3, padding: "same", name: "conv5_block3_2_conv" })
          .batchNormalization(bn("conv5_block3_2_bn"))
          .activation(relu("conv5_block3_2_relu"))
          .conv2d({ filters: 2048, kernelSize: 1, name: "conv5_block3_3_conv" })
          .batchNormalization(bn("conv5_block3_3_bn")),
      { shortcutFirst: true, name: "conv5_block3_add" },
    )
    .activation(relu("conv5_block3_out"));
  const outputs = conv5b3.globalAveragePooling2d({ name: "avg_pool" }).dense({ units: 1000, activation: "softmax", name: "predictions" });
  return model({ inputs, outputs, name: "resnet50" });
}

type ResNet50 = ReturnType<typeof resnet50>;
// These fail to compile if the type-level shape or total is off (exact equality: `number` fails too).
type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
export type ResNet50Checks = [
  Expect<Equal<OutputShape<ResNet50>, [null, 1000]>>,
  Expect<Equal<ParamCount<ResNet50>, 25636712>>,
  Expect<Equal<FlopCount<ResNet50>, 3857973248>>,
];

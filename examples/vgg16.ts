/**
 * VGG16 (Simonyan & Zisserman, 2014) in the layout of Keras applications
 * (`keras.applications.VGG16(include_top=True)`): five blocks of 3x3 "same"
 * convolutions with ReLU, each closed by a 2x2 max pooling, then three dense
 * layers. Layer names match the Keras ones (`block1_conv1` ... `predictions`).
 *
 * The type checker computes the output shape and the exact parameter total;
 * the assertions at the bottom fail to compile if either is off.
 *
 * Building the model allocates and initialises all 138,357,544 weights
 * (about 550 MB of float32), so import it only where that is wanted.
 */
import { input, model } from "../src/index.js";
import type { FlopCount, OutputShape, ParamCount } from "../src/index.js";

const inputs = input({ shape: [224, 224, 3] });

const outputs = inputs
  // Block 1
  .conv2d({ filters: 64, kernelSize: 3, padding: "same", activation: "relu", name: "block1_conv1" })
  .conv2d({ filters: 64, kernelSize: 3, padding: "same", activation: "relu", name: "block1_conv2" })
  .maxPooling2d({ poolSize: 2, name: "block1_pool" })
  // Block 2
  .conv2d({ filters: 128, kernelSize: 3, padding: "same", activation: "relu", name: "block2_conv1" })
  .conv2d({ filters: 128, kernelSize: 3, padding: "same", activation: "relu", name: "block2_conv2" })
  .maxPooling2d({ poolSize: 2, name: "block2_pool" })
  // Block 3
  .conv2d({ filters: 256, kernelSize: 3, padding: "same", activation: "relu", name: "block3_conv1" })
  .conv2d({ filters: 256, kernelSize: 3, padding: "same", activation: "relu", name: "block3_conv2" })
  .conv2d({ filters: 256, kernelSize: 3, padding: "same", activation: "relu", name: "block3_conv3" })
  .maxPooling2d({ poolSize: 2, name: "block3_pool" })
  // Block 4
  .conv2d({ filters: 512, kernelSize: 3, padding: "same", activation: "relu", name: "block4_conv1" })
  .conv2d({ filters: 512, kernelSize: 3, padding: "same", activation: "relu", name: "block4_conv2" })
  .conv2d({ filters: 512, kernelSize: 3, padding: "same", activation: "relu", name: "block4_conv3" })
  .maxPooling2d({ poolSize: 2, name: "block4_pool" })
  // Block 5
  .conv2d({ filters: 512, kernelSize: 3, padding: "same", activation: "relu", name: "block5_conv1" })
  .conv2d({ filters: 512, kernelSize: 3, padding: "same", activation: "relu", name: "block5_conv2" })
  .conv2d({ filters: 512, kernelSize: 3, padding: "same", activation: "relu", name: "block5_conv3" })
  .maxPooling2d({ poolSize: 2, name: "block5_pool" })
  // Classification block
  .flatten({ name: "flatten" })
  .dense({ units: 4096, activation: "relu", name: "fc1" })
  .dense({ units: 4096, activation: "relu", name: "fc2" })
  .dense({ units: 1000, activation: "softmax", name: "predictions" });

/** VGG16: `Model<[null, 224, 224, 3], [null, 1000], 138357544, "224*224*1728+...">`, 15,470,264,320 multiply-accumulates per image (`FlopCount`). */
export const vgg16 = model({ inputs, outputs, name: "vgg16" });

// Type-level checks: these lines fail to compile if the shape or the total is wrong.
type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
type Expect<T extends true> = T;
export type VGG16Checks = [
  Expect<Equal<OutputShape<typeof vgg16>, [null, 1000]>>,
  Expect<Equal<ParamCount<typeof vgg16>, 138357544>>,
  Expect<Equal<FlopCount<typeof vgg16>, 15470264320>>,
];

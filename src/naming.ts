/**
 * Automatic names, as each framework gives them. Counters are process-wide
 * and per class, as in Keras; {@link clearSession} resets them.
 *
 * - tf.keras 2: `conv2d`, `conv2d_1` (zero-based); inputs `input_1`, `input_2`
 *   (one-based); models `model`, `model_1`; `sequential`, `sequential_1`.
 * - Keras 3: the same for layers; inputs `input_layer`, `input_layer_1`;
 *   models `functional`, `functional_1`.
 * - TensorFlow.js: `conv2d_Conv2D1` (one-based); inputs `input1`; models
 *   `model1`; `sequential_1`.
 */
import type { StyleNames } from "./summary/rows.js";

const zeroBased = new Map<string, number>();
const oneBased = new Map<string, number>();

function nextZeroBased(key: string): string {
  const n = zeroBased.get(key) ?? 0;
  zeroBased.set(key, n + 1);
  return n === 0 ? key : `${key}_${n}`;
}

function nextOneBased(key: string): number {
  const n = (oneBased.get(key) ?? 0) + 1;
  oneBased.set(key, n);
  return n;
}

/**
 * A class name in snake case, by the rule Keras 2 and TensorFlow.js share.
 *
 * @example
 * toSnakeCase("MaxPooling2D"); // "max_pooling2d"
 */
export function toSnakeCase(className: string): string {
  return className
    .replace(/(.)([A-Z][a-z0-9]+)/g, "$1_$2")
    .replace(/([a-z])([A-Z])/g, "$1_$2")
    .toLowerCase();
}

function fixed(name: string): StyleNames {
  return { keras2: name, keras3: name, tfjs: name };
}

/**
 * Names for a new layer of a class, or the user's name under every scheme.
 *
 * @example
 * layerNames("Conv2D"); // { keras2: "conv2d", keras3: "conv2d", tfjs: "conv2d_Conv2D1" }
 */
export function layerNames(className: string, userName?: string): StyleNames {
  const snake = toSnakeCase(className);
  if (userName !== undefined) return fixed(userName);
  const keras = nextZeroBased(snake);
  return { keras2: keras, keras3: keras, tfjs: `${snake}_${className}${nextOneBased(`layer:${className}`)}` };
}

/** Names for a new input layer. */
export function inputNames(userName?: string): StyleNames {
  if (userName !== undefined) return fixed(userName);
  const n = nextOneBased("input");
  return { keras2: `input_${n}`, keras3: nextZeroBased("input_layer"), tfjs: `input${nextOneBased("tfjs:input")}` };
}

/** Names for a new model. */
export function modelNames(kind: "functional" | "sequential", userName?: string): StyleNames {
  if (userName !== undefined) return fixed(userName);
  if (kind === "sequential") {
    const keras = nextZeroBased("sequential");
    return { keras2: keras, keras3: keras, tfjs: `sequential_${nextOneBased("tfjs:sequential")}` };
  }
  return { keras2: nextZeroBased("model"), keras3: nextZeroBased("functional"), tfjs: `model${nextOneBased("tfjs:model")}` };
}

/**
 * Resets every name counter, like `keras.backend.clear_session()`: the next
 * layers are named `conv2d`, `input_1`, `model` again.
 *
 * @example
 * clearSession();
 * input({ shape: [4] }).layerName; // "input_1"
 */
export function clearSession(): void {
  zeroBased.clear();
  oneBased.clear();
}

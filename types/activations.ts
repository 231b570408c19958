/**
 * Activation names accepted by `activation` options and the `activation` layer,
 * as Keras 3 spells them.
 *
 * @example
 * const a: ActivationName = "relu";
 */
export type ActivationName =
  | "linear"
  | "relu"
  | "relu6"
  | "elu"
  | "selu"
  | "gelu"
  | "swish"
  | "silu"
  | "sigmoid"
  | "hard_sigmoid"
  | "tanh"
  | "softplus"
  | "softsign"
  | "softmax"
  | "log_softmax"
  | "exponential";

/**
 * Regularisers at the type level: the value a layer's `kernelRegularizer`,
 * `biasRegularizer`, `activityRegularizer` (and their kin) take, and the
 * check of a factor written as a literal (runtime twin: `src/regularizers.ts`).
 */

/**
 * A regulariser's name, with Keras 3's default factor 0.01: `"l1"`, `"l2"`,
 * or both (`"l1l2"`, Keras's `"l1_l2"`).
 *
 * @example
 * const r: RegularizerName = "l2";
 */
export type RegularizerName = "l1" | "l2" | "l1l2" | "l1_l2";

/**
 * A regulariser as data: `l1 * sum(|x|)` when `l1` is given, plus
 * `l2 * sum(x^2)` when `l2` is; each factor a finite number at least 0.
 *
 * @example
 * const r: Regularizer = { l2: 1e-4 }; // what regularizers.l2(1e-4) returns
 */
export interface Regularizer {
  readonly l1?: number;
  readonly l2?: number;
}

/**
 * What a layer's regulariser option takes: a name or a {@link Regularizer}.
 *
 * @example
 * input({ shape: [8] }).dense({ units: 4, kernelRegularizer: "l2", biasRegularizer: { l1: 0.001 } });
 */
export type RegularizerOption = RegularizerName | Regularizer;

/**
 * A factor the checker can see is negative becomes the sentence the run
 * time throws, which the argument cannot match; `NaN` and infinities have no
 * literal type and are refused at run time.
 *
 * @example
 * type Bad = NonNegativeFactor<"regularizers.l2", "l2", -0.1>; // "shapewise: regularizers.l2 l2 must be a finite number at least 0, got -0.1"
 */
export type NonNegativeFactor<Method extends string, Key extends string, V extends number> = `${V}` extends `-${string}`
  ? `shapewise: ${Method} ${Key} must be a finite number at least 0, got ${V}`
  : V;

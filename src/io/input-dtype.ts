/**
 * The element type of a layer's data as a file or an export declares it:
 * an input layer's own (`int32` for ids), float32 for every other layer.
 * Read by name, so the writers need not import the layer classes.
 */

/**
 * `"int32"` for an input layer built with `dtype: "int32"`, `"float32"` otherwise.
 *
 * @example
 * inputDtype(m.layers[0]); // "int32" for input({ shape: [20], dtype: "int32" })
 */
export function inputDtype(layer: { readonly className: string }): "float32" | "int32" {
  return layer.className === "InputLayer" && (layer as { readonly dtype?: unknown }).dtype === "int32" ? "int32" : "float32";
}

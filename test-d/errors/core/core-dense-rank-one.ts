// An input of shape [] is a batch of scalars: dense needs a feature axis.
import { input } from "../../../src/index.js";

export const x = input({ shape: [] }).dense({ units: 4 });

// Keras accepts rate 1, whose noise deviation sqrt(rate / (1 - rate)) is infinite; shapewise keeps dropout's [0, 1).
import { input } from "../../../src/index.js";

export const x = input({ shape: [10] }).gaussianDropout({ rate: 1 });

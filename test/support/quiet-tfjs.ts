/**
 * Runs before every test file: TensorFlow.js's production mode, which in
 * tfjs-core 4.22 only silences its warnings (the "looks like you are running
 * TensorFlow.js in Node.js" banner its CPU backend prints on first use, once
 * per test file otherwise) and changes no computation. tfjs-core keeps one
 * engine per process, so setting the flag here reaches the copy the tests
 * import through @tensorflow/tfjs.
 */
import { enableProdMode } from "@tensorflow/tfjs-core";

enableProdMode();

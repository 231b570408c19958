/**
 * TensorFlow.js for the browser test's page, as a global, in a bundle of its
 * own so that the page's bundle holds shapewise alone.
 */
import * as tf from "@tensorflow/tfjs";

(globalThis as { tf?: unknown }).tf = tf;

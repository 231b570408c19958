/**
 * Runs before every test file: the Node platform hooks (kernels read from
 * disk, worker_threads, model files by path), which the package's Node entry
 * installs for its users; the tests import the core sources directly.
 */
import "../../src/node/host.js";

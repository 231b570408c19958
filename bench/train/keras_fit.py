"""Times Keras 3's Adam steps on seed Model B at batch 64, for the training benchmark's README line.

Run where Keras 3 is installed (it is not a dependency of shapewise):
    KERAS_BACKEND=jax python bench/train/keras_fit.py [THREADS]
THREADS 1 pins XLA's CPU backend to one thread, as `bench:train` runs shapewise; without it XLA takes
every core. The data are random digits of the mnist shape: a step's time does not depend on the values.
Prints the median of train_on_batch over about 5 s after two warm-up steps (the first compiles).
"""
import os, sys, time
threads = sys.argv[1] if len(sys.argv) > 1 else None
if threads == "1":
    os.environ["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
os.environ.setdefault("KERAS_BACKEND", "jax")
import numpy as np, keras

keras.utils.set_random_seed(1)
L = keras.layers
i = keras.Input((28, 28, 1))
h = L.Conv2D(32, 3, activation="relu", padding="same")(i)
h = L.MaxPooling2D(2)(h)
h = L.Conv2D(64, 3, activation="relu")(h)
h = L.MaxPooling2D(2)(h)
h = L.Conv2D(128, 3, activation="relu")(h)
m = keras.Model(i, L.Dense(10, activation="softmax")(L.Flatten()(h)))
m.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
rng = np.random.default_rng(0)
x = rng.random((64, 28, 28, 1), dtype=np.float32)
y = rng.integers(0, 10, 64).astype(np.int32)
for _ in range(2):
    m.train_on_batch(x, y)
times = []
start = time.perf_counter()
while time.perf_counter() - start < 5 or len(times) < 3:
    t0 = time.perf_counter()
    m.train_on_batch(x, y)
    times.append(time.perf_counter() - t0)
ms = float(np.median(times)) * 1000
print(f"keras=={keras.__version__} backend={keras.backend.backend()} threads={threads or 'all'}: "
      f"{ms:.1f} ms a step, {64 / ms * 1000:.0f} images/s over {len(times)} steps, load {os.getloadavg()[0]:.2f}")

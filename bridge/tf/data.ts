// tfjs-data's `tf.data` (https://js.tensorflow.org/api/latest/#Data) over Python's
// `tf.data.Dataset`: `tf.data.array`, `tf.data.zip` and the chainable Dataset (batch, shuffle,
// take, skip, repeat, map, prefetch, concatenate, forEachAsync, toArray). Knows tensor.ts and
// tf.data's Python API (through tspy_tf.py); nothing of models (models.ts's fitDataset reads `py`).
import { type PyProxy, tspy } from "../lib/index.js";
import { convertOption, py } from "./runtime.js";
import { stack, Tensor, tensor, type TensorContainer, type TensorLike } from "./tensor.js";

let tupleType: PyProxy | undefined;
let dictType: PyProxy | undefined;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v) && !ArrayBuffer.isView(v) && !tspy.isProxy(v) && !(v instanceof Tensor);
}

/**
 * One column of `tf.data.array`'s items as the Python structure tf.data slices: Tensors stacked,
 * numbers/booleans/(nested) arrays one tensor (float32 unless boolean, as tf.tensor), objects one
 * column per key (recursively).
 * @throws TypeError when the items do not all have the first one's keys.
 */
function column(values: unknown[], where: string): unknown {
  const first = values[0];
  if (first instanceof Tensor) return stack(values as Tensor[]).py;
  if (isPlainObject(first)) {
    const keys = Object.keys(first);
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const col = values.map((v, i) => {
        if (!isPlainObject(v) || !Object.hasOwn(v, key))
          throw new TypeError(`${where}: item ${i} has no key '${key}' (every item needs the first item's keys)`);
        return v[key];
      });
      out[key] = column(col, `${where}.${key}`);
    }
    return out;
  }
  return tensor(values as TensorLike).py;
}

/** A Python element (a tf.Tensor, or tuples/dicts of them) as TS: Tensors, arrays for tuples, objects for dicts. */
function fromPy(e: unknown): TensorContainer {
  if (!tspy.isProxy(e)) return e as TensorContainer;
  tupleType ??= tspy.type(tspy.tuple());
  dictType ??= tspy.type({});
  if (tspy.isinstance(e, tupleType)) return [...(e as Iterable<unknown>)].map(fromPy);
  if (tspy.isinstance(e, dictType)) {
    const out: Record<string, TensorContainer> = {};
    for (const key of [...(e.keys() as Iterable<string>)]) out[key] = fromPy(tspy.getItem(e, key));
    return out;
  }
  return new Tensor(e);
}

/** A TS element (what a map function returns) as Python: Tensors their tf.Tensor, numbers and arrays of numbers a float32 tensor, objects dicts. */
function toPy(v: unknown): unknown {
  if (v instanceof Tensor) return v.py;
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPy(x)]));
  if (Array.isArray(v) && v.some((x) => x instanceof Tensor || isPlainObject(x))) return v.map(toPy);
  return tensor(v as TensorLike).py;
}

/** A Tensor's values as nested JS arrays (a number for a scalar), the Tensor disposed; containers element-wise. */
function toPlain(v: TensorContainer): unknown {
  if (v instanceof Tensor) {
    const out = v.arraySync();
    v.dispose();
    return out;
  }
  if (Array.isArray(v)) return v.map(toPlain);
  if (isPlainObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, toPlain(x as TensorContainer)]));
  return v;
}

/**
 * tfjs's `Dataset` over a Python `tf.data.Dataset` (`dataset.py`; give it to `%%python` cells with
 * `py.ds = dataset.py`). Each method returns a new Dataset, as in tfjs. Elements are Tensors,
 * arrays of them (a Python tuple) or objects of them (a dict) — except that, as in tfjs, the
 * elements of {@link array} of plain values read back as plain values until {@link batch}.
 * `new tf.data.Dataset(pyDataset)` wraps a dataset made in Python (`tf.py.data...`).
 */
export class Dataset<T extends TensorContainer = TensorContainer> {
  /**
   * @param py a Python `tf.data.Dataset`.
   * @param plain whether its elements read back as JS values (tf.data.array of plain values, unbatched).
   * @param source the items of tf.data.array, while no other step is applied (map runs on them in TS).
   * @throws TypeError when `py` is not a tf.data.Dataset.
   */
  constructor(
    readonly py: PyProxy,
    readonly plain = false,
    private readonly source?: readonly unknown[],
  ) {
    if (!tspy.isProxy(py) || !tspy.isinstance(py, modulesDataset())) throw new TypeError("tf.data.Dataset wraps a Python tf.data.Dataset");
  }

  private next<O extends TensorContainer>(p: PyProxy, plain = this.plain): Dataset<O> {
    return new Dataset<O>(p, plain);
  }

  /**
   * Groups `batchSize` consecutive elements into one, stacking each tensor along a new first
   * dimension (tfjs's `batch(batchSize, smallLastBatch = true)`; a shorter last batch is dropped
   * when `smallLastBatch` is false).
   * @throws TypeError when `batchSize` is not a positive integer.
   */
  batch(batchSize: number, smallLastBatch = true): Dataset<TensorContainer> {
    const n = convertOption("dataset.batch", "batchSize", batchSize, "int") as number;
    if (n <= 0) throw new TypeError(`dataset.batch: batchSize must be positive; got ${batchSize}`);
    return this.next(this.py.batch(n, tspy.kwargs({ drop_remainder: !smallLastBatch })), false);
  }

  /**
   * Shuffles with a buffer of `bufferSize` elements (tfjs's `shuffle(bufferSize, seed?,
   * reshuffleEachIteration = true)`): the whole dataset is shuffled uniformly when the buffer is
   * at least its size. A string `seed` (tfjs's type) is hashed to TensorFlow's integer seed.
   * @throws TypeError when `bufferSize` is not a positive integer.
   */
  shuffle(bufferSize: number, seed?: string | number, reshuffleEachIteration = true): Dataset<T> {
    const n = convertOption("dataset.shuffle", "bufferSize", bufferSize, "int") as number;
    if (n <= 0) throw new TypeError(`dataset.shuffle: bufferSize must be positive; got ${bufferSize}`);
    const s = seed === undefined ? null : typeof seed === "number" ? (convertOption("dataset.shuffle", "seed", seed, "int") as number) : hashSeed(seed);
    return this.next(this.py.shuffle(n, tspy.kwargs({ seed: s, reshuffle_each_iteration: reshuffleEachIteration })));
  }

  /** The first `count` elements (all when `count` is negative or past the end; tfjs's `take`). @throws TypeError for a non-integer. */
  take(count: number): Dataset<T> {
    return this.next(this.py.take(convertOption("dataset.take", "count", count, "int")));
  }

  /** All but the first `count` elements (tfjs's `skip`). @throws TypeError for a non-integer. */
  skip(count: number): Dataset<T> {
    return this.next(this.py.skip(convertOption("dataset.skip", "count", count, "int")));
  }

  /** The elements `count` times over (forever when `count` is omitted or negative; tfjs's `repeat`). @throws TypeError for a non-integer. */
  repeat(count?: number): Dataset<T> {
    return this.next(this.py.repeat(count === undefined ? null : convertOption("dataset.repeat", "count", count, "int")));
  }

  /**
   * Applies `transform` to each element (tfjs's `map`). On a dataset straight from
   * {@link array}, it runs now, in TS, on the items themselves (JS values or Tensors, as in tfjs),
   * and the results make a new array dataset. On any other dataset, tf.data traces it once, now,
   * into a TensorFlow graph (Python's `Dataset.map`): it gets symbolic Tensors and must use only
   * tensor ops (no `dataSync`/`arraySync`, no side effects that should repeat per element). It never
   * runs on tf.data's threads, which could not call TS while `fit` waits in TensorFlow.
   * Numbers and arrays it returns become float32 tensors.
   * @throws whatever `transform` throws; PythonError when its result has no fixed structure.
   */
  map<O extends TensorContainer>(transform: (value: T) => O): Dataset<O> {
    if (this.source) return array(this.source.map((item) => transform(item as T)) as O[]);
    return this.next(
      py().helpers.dataset_map(this.py, (e: PyProxy) => toPy(transform(fromPy(e) as T))),
      false,
    );
  }

  /** Prepares up to `bufferSize` elements ahead on tf.data's threads (tfjs's `prefetch`; Python's, with `tf.data.AUTOTUNE` for -1). */
  prefetch(bufferSize: number): Dataset<T> {
    return this.next(this.py.prefetch(convertOption("dataset.prefetch", "bufferSize", bufferSize, "int")));
  }

  /** This dataset's elements, then `dataset`'s (tfjs's `concatenate`). @throws PythonError when their element structures differ. */
  concatenate(dataset: Dataset<T>): Dataset<T> {
    return this.next(this.py.concatenate(dataset.py), this.plain && dataset.plain);
  }

  /**
   * The number of elements (tfjs's `size`): `Infinity` after `repeat()`, `null` when TensorFlow
   * cannot tell without reading them (e.g. after a filter).
   */
  get size(): number | null {
    const n = py().helpers.dataset_size(this.py) as unknown as number;
    return Number.isNaN(n) ? null : n;
  }

  /** Calls `f` on each element in order (tfjs's `forEachAsync`); awaits each Promise `f` returns. @throws whatever `f` throws; PythonError from tf.data. */
  async forEachAsync(f: (input: T) => void | Promise<void>): Promise<void> {
    for await (const e of this) await f(e);
  }

  /** Every element in order (tfjs's `toArray`). @throws Error for an infinite dataset (after `repeat()`). */
  async toArray(): Promise<T[]> {
    if (this.size === Infinity) throw new Error("dataset.toArray: the dataset is infinite (repeat() without a count); take(n) first");
    const out: T[] = [];
    for await (const e of this) out.push(e);
    return out;
  }

  /** The elements one by one (`for await (const e of dataset)`; tfjs's `iterator()` reads the same). */
  async *[Symbol.asyncIterator](): AsyncGenerator<T, void, undefined> {
    const it = tspy.import("builtins").iter(this.py) as PyProxy;
    try {
      for (const e of it as Iterable<unknown>) {
        const v = fromPy(e);
        yield (this.plain ? toPlain(v) : v) as T;
      }
    } finally {
      tspy.destroy(it);
    }
  }

  /** tfjs's `iterator()`: an iterator whose `next()` resolves to `{value, done}`. */
  async iterator(): Promise<AsyncIterator<T>> {
    return this[Symbol.asyncIterator]();
  }
}

function modulesDataset(): PyProxy {
  return py().tf.data.Dataset;
}

/** A string seed as a 31-bit integer (FNV-1a), so the same string gives the same order. */
function hashSeed(seed: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193);
  return (h >>> 0) & 0x7fffffff;
}

/**
 * tfjs's `tf.data.array(items)`: a dataset of the items, in order. Items are numbers, booleans,
 * (nested) arrays, TypedArrays, Tensors, or objects of those (`{xs: [..], ys: 3}`, one column per
 * key); they must agree in shape. The columns become tensors now (float32 unless boolean, as
 * `tf.tensor`) and tf.data slices them (`from_tensor_slices`) without copying again.
 * @throws TypeError when `items` is empty or the items' keys differ; Error when their shapes differ.
 */
export function array<T extends TensorContainer>(items: T[]): Dataset<T> {
  if (!Array.isArray(items) || items.length === 0) throw new TypeError("tf.data.array: needs a non-empty array of items");
  const plain = !items.some((x) => x instanceof Tensor);
  return new Dataset<T>(py().helpers.dataset_from_slices(column(items, "tf.data.array")), plain, items);
}

/** What {@link zip} accepts: an array or an object of datasets (tfjs's `DatasetContainer`), a Python one as a PyProxy. */
export type DatasetContainer = (Dataset | PyProxy)[] | { [key: string]: Dataset | PyProxy };

/**
 * tfjs's `tf.data.zip(datasets)`: elements taken together from each dataset, until the shortest
 * ends — an array of datasets gives arrays (`zip([xs, ys])`), an object gives objects
 * (`zip({xs, ys})`, what `fitDataset` reads).
 * @throws TypeError when a value is not a Dataset.
 */
export function zip<O extends TensorContainer>(datasets: DatasetContainer): Dataset<O> {
  const toPyDs = (d: unknown): PyProxy => {
    if (d instanceof Dataset) return d.py;
    if (tspy.isProxy(d) && tspy.isinstance(d, modulesDataset())) return d;
    throw new TypeError("tf.data.zip: every value must be a tf.data Dataset");
  };
  const all = Array.isArray(datasets) ? datasets : Object.values(datasets);
  const plain = all.every((d) => d instanceof Dataset && d.plain);
  const arg = Array.isArray(datasets) ? datasets.map(toPyDs) : Object.fromEntries(Object.entries(datasets).map(([k, d]) => [k, toPyDs(d)]));
  return new Dataset<O>(py().helpers.dataset_zip(arg), plain);
}

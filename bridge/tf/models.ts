// tfjs-layers' models over Keras models: `tf.sequential`, `tf.model`, `LayersModel` (compile,
// fit, evaluate, predict, summary, save) and `tf.loadLayersModel`. Knows Keras's Model API through
// the bridge; the layers themselves are layers.ts's.
import * as fs from "node:fs";
import * as path from "node:path";
import { type PyProxy, tspy } from "../lib/index.js";
import { type CallbackSpec, toKerasCallbacks } from "./callbacks.js";
import type { CustomLayer } from "./custom-layer.js";
import { type CustomModelArgs, newCustomModel } from "./custom-model.js";
import { Dataset } from "./data.js";
import { Layer, pyOf, registerModelWrapper, SymbolicTensor, unwrapInput, wrapLayer, wrapOutput } from "./layers.js";
import { convertOption, py, snakeValue, toKwargs, unwrap } from "./runtime.js";
import { scalar, Tensor } from "./tensor.js";
import type { Optimizer } from "./train.js";

/** A loss or metric as a function of labels and predictions (tfjs's `LossOrMetricFn`), run by Keras on its own tensors. */
export type LossOrMetricFn = (yTrue: Tensor, yPred: Tensor) => Tensor;
/** tfjs's loss names (camelCase, converted to Keras's snake_case); any other Keras loss name is accepted too. */
export type LossIdentifier =
  | "meanSquaredError"
  | "meanAbsoluteError"
  | "meanAbsolutePercentageError"
  | "meanSquaredLogarithmicError"
  | "binaryCrossentropy"
  | "categoricalCrossentropy"
  | "sparseCategoricalCrossentropy"
  | "categoricalHinge"
  | "hinge"
  | "squaredHinge"
  | "logcosh"
  | "huber"
  | "kullbackLeiblerDivergence"
  | "poisson"
  | "cosineProximity"
  | (string & {});
/** tfjs's metric names (plus Keras's); "accuracy"/"acc" pick the accuracy that fits the loss, as in both. */
export type MetricIdentifier =
  "accuracy" | "acc" | "binaryAccuracy" | "categoricalAccuracy" | "sparseCategoricalAccuracy" | "precision" | "recall" | "mse" | "mae" | (string & {});

/** Options of {@link LayersModel.compile} (tfjs's `ModelCompileArgs`). */
export interface ModelCompileArgs {
  /** An optimizer name ("sgd", "adam", "rmsprop", "adagrad", "adadelta", "adamax") or `tf.train.*(...)`. */
  optimizer: string | Optimizer | PyProxy;
  /**
   * A loss name, a loss function of Tensors, or one per output (array or by output name). A Keras
   * loss object goes through the escape hatch: `model.py.compile(...)` with `tspy.kwargs`.
   */
  loss: LossIdentifier | LossOrMetricFn | LossIdentifier[] | { [outputName: string]: LossIdentifier };
  /** Metrics to report (names or functions; one list per output by output name). */
  metrics?: MetricIdentifier | LossOrMetricFn | (MetricIdentifier | LossOrMetricFn)[] | { [outputName: string]: MetricIdentifier | MetricIdentifier[] };
}

/** Model inputs/targets: a Tensor, one per input, or by input name; a PyProxy (numpy array) passes through. */
export type ModelData = Tensor | Tensor[] | { [inputName: string]: Tensor } | PyProxy;

/** Options of {@link LayersModel.fit} (tfjs's `ModelFitArgs`). */
export interface ModelFitArgs {
  /** Samples per gradient update (default 32). */
  batchSize?: number;
  /** Epochs to train (default 1). */
  epochs?: number;
  /** 0: silent; 1 (default, as tfjs): one line per epoch (Keras's verbose=2); 2: Keras's progress bar. */
  verbose?: 0 | 1 | 2;
  /** tf.Callback instances, `{onEpochEnd, ...}` objects, `tf.callbacks.earlyStopping(...)`, or Keras callbacks (PyProxy). */
  callbacks?: CallbackSpec | CallbackSpec[];
  /** Fraction (0..1) of the data, taken from the end before shuffling, used for validation. */
  validationSplit?: number;
  /** `[xVal, yVal]` or `[xVal, yVal, valSampleWeights]`. */
  validationData?: [ModelData, ModelData] | [ModelData, ModelData, Tensor];
  /** Shuffle the training data before each epoch (default true). */
  shuffle?: boolean;
  /** Weight of each class index in the loss. */
  classWeight?: { [classIndex: string]: number };
  /** Weight of each sample in the loss. */
  sampleWeight?: Tensor;
  /** Epoch to start from (for resuming; default 0). */
  initialEpoch?: number;
  /** Batches per epoch (default: the whole data). */
  stepsPerEpoch?: number;
  /** Validation batches (with stepsPerEpoch). */
  validationSteps?: number;
  /** Batch size for validation (default: batchSize). */
  validationBatchSize?: number;
  /** Validate every N epochs (default 1). */
  validationFreq?: number;
  /** tfjs's yielding to the browser's event loop; accepted and ignored (Keras trains synchronously, see {@link LayersModel.fit}). */
  yieldEvery?: "auto" | "batch" | "epoch" | "never" | number;
}

/** Options of {@link LayersModel.fitDataset} (tfjs's `ModelFitDatasetArgs`). */
export interface ModelFitDatasetArgs {
  /** Epochs to train. */
  epochs: number;
  /** Batches per epoch (default: until the dataset ends; with it, one pass continues where the last epoch stopped, so repeat() the dataset). */
  batchesPerEpoch?: number;
  /** 0: silent; 1 (default, as tfjs): one line per epoch; 2: Keras's progress bar. */
  verbose?: 0 | 1 | 2;
  /** As {@link ModelFitArgs.callbacks}. */
  callbacks?: CallbackSpec | CallbackSpec[];
  /** A dataset of batches like the training one, or `[xVal, yVal]` / `[xVal, yVal, valSampleWeights]` tensors. */
  validationData?: Dataset | PyProxy | [ModelData, ModelData] | [ModelData, ModelData, Tensor];
  /** Validation batches per epoch (default: the whole validation dataset). */
  validationBatches?: number;
  /** Weight of each class index in the loss. */
  classWeight?: { [classIndex: string]: number };
  /** Epoch to start from (for resuming; default 0). */
  initialEpoch?: number;
  /** tfjs's yielding to the browser's event loop; accepted and ignored, as in {@link ModelFitArgs}. */
  yieldEvery?: "auto" | "batch" | "epoch" | "never" | number;
}

/** Options of {@link LayersModel.evaluate} and {@link LayersModel.predict} (tfjs's `ModelEvaluateArgs`/`ModelPredictArgs`). */
export interface ModelEvaluateArgs {
  /** Samples per batch (default 32). */
  batchSize?: number;
  /** 0 (default): silent; 1: Keras's progress bar. */
  verbose?: 0 | 1;
  /** Weight of each sample (evaluate only). */
  sampleWeight?: Tensor;
  /** Batches to run (default: all). */
  steps?: number;
}

/** What `fit` resolves to (tfjs's `History`): per-epoch metrics in Keras's names (plus tfjs's "acc"/"val_acc" for accuracy). */
export class History {
  /** The epochs that ran (0-based). */
  readonly epoch: number[];
  /** Per metric name, one number per epoch: `history.loss`, `history.val_loss`, `history.accuracy`. */
  readonly history: { [key: string]: number[] };
  /** Keras's training parameters (`epochs`, `steps`, `verbose`). */
  readonly params: Record<string, unknown>;
  /** @param py the Keras `History` callback that fit returned. */
  constructor(readonly py: PyProxy) {
    this.epoch = tspy.toJS(py.epoch) as number[];
    const h = tspy.toJS(py.history) as { [key: string]: number[] };
    for (const [k, v] of Object.entries(h)) h[k] = v.map(Number);
    if (h.accuracy) h.acc = h.accuracy;
    if (h.val_accuracy) h.val_acc = h.val_accuracy;
    this.history = h;
    this.params = tspy.toJS(py.params) as Record<string, unknown>;
  }
}

/** What {@link LayersModel.save} resolves to (tfjs's `SaveResult`). */
export interface SaveResult {
  /** Where and when the model was written. */
  modelArtifactsInfo: {
    /** When it was saved. */
    dateSaved: Date;
    /** Always "KerasV3" here: one `.keras` zip file (config + weights), not tfjs's model.json + shards. */
    modelTopologyType: "KerasV3";
    /** The `.keras` file's size (bytes). */
    weightDataBytes: number;
    /** The `.keras` file written. */
    path: string;
  };
}

function toPyData(x: ModelData | undefined): unknown {
  if (x === undefined) return null;
  return unwrapInput(x);
}

function lossFn(f: LossOrMetricFn): (yTrue: PyProxy, yPred: PyProxy) => PyProxy {
  const wrapped = (yTrue: PyProxy, yPred: PyProxy): PyProxy => f(new Tensor(yTrue), new Tensor(yPred)).py;
  Object.defineProperty(wrapped, "name", { value: f.name || "custom" });
  return wrapped;
}

function lossOrMetric(v: unknown): unknown {
  if (typeof v === "string") return snakeValue(v === "acc" ? "accuracy" : v);
  if (typeof v === "function" && !tspy.isProxy(v)) return lossFn(v as LossOrMetricFn);
  if (Array.isArray(v)) return v.map(lossOrMetric);
  if (v !== null && typeof v === "object" && !tspy.isProxy(v) && !("py" in v))
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, lossOrMetric(x)]));
  return unwrap(v);
}

/**
 * A tf.data dataset (a {@link Dataset}, or a Python `tf.data.Dataset` as a PyProxy) as the Python
 * dataset Keras's fit reads: tfjs's `{xs, ys}` elements become `(xs, ys)` tuples.
 * @throws TypeError for anything else (naming `owner`).
 */
function kerasDataset(d: unknown, owner: string): PyProxy {
  const p = d instanceof Dataset ? d.py : d;
  if (!tspy.isProxy(p) || !tspy.isinstance(p, py().tf.data.Dataset)) throw new TypeError(`${owner}: expected a tf.data Dataset`);
  return py().helpers.dataset_xy(p);
}

/** The options that {@link LayersModel.fit} and {@link LayersModel.fitDataset} share (tfjs's). */
type SharedFitArgs = Pick<ModelFitArgs, "verbose" | "callbacks" | "classWeight">;

/**
 * Runs Keras's `fit` for `fit` and `fitDataset`: `positional` (data) and `kw` (their own keyword
 * arguments) plus the shared options — tfjs's verbosity mapped to Keras's, class weights, the
 * callbacks — then waits for every Promise an async callback hook returned.
 * @returns the {@link History}.
 */
async function runFit(model: LayersModel, positional: unknown[], kw: Record<string, unknown>, args: SharedFitArgs): Promise<History> {
  const pending: Promise<unknown>[] = [];
  kw.verbose = args.verbose === undefined || args.verbose === 1 ? 2 : args.verbose === 2 ? 1 : 0;
  if (args.classWeight) kw.class_weight = tspy.toPy(new Map(Object.entries(args.classWeight).map(([k, v]) => [Number(k), tspy.float(v)])));
  kw.callbacks = toKerasCallbacks(args.callbacks, model, pending);
  const hist = model.py.fit(...positional, tspy.kwargs(kw));
  await Promise.all(pending);
  return new History(hist);
}

/** "file://dir/model.keras" -> that file; "file://dir" (no .keras) -> dir/model.keras; a plain path likewise. */
function keraPath(url: string): string {
  const p = url.startsWith("file://") ? url.slice("file://".length) : url;
  if (!p) throw new Error(`Not a file path: ${url}`);
  return p.endsWith(".keras") ? path.resolve(p) : path.resolve(p, "model.keras");
}

/**
 * A Keras model with tfjs's `LayersModel` API (https://js.tensorflow.org/api/latest/#class:LayersModel):
 * made by {@link model}, {@link sequential} or {@link loadLayersModel}. `model.py` is the Keras model
 * (`py.model = model.py` gives it to `%%python` cells).
 */
export class LayersModel extends Layer {
  /**
   * Wraps a Keras model (`new tf.LayersModel(pyModel)`), or — from a subclass's `super(args?)` —
   * makes a tfjs custom model (R's `keras_model_custom`): `class M extends tf.LayersModel {
   * constructor() { super(); this.dense1 = tf.layers.dense({units: 8}); } call(inputs, kwargs) {
   * return this.dense1.apply(inputs); } }`. The instance is then a Keras model itself (one Python
   * subclass of `keras.Model` per TS class, named `static className` or the class's name; `py.m =
   * m` gives it to `%%python` cells as that model): Keras calls `call(inputs, kwargs)` with
   * Tensors (symbolic while it traces; `kwargs.training` is Keras's training flag) and, when
   * defined, `build(inputShape)`; layers kept in fields (`tf.layers.*`, arrays of them, custom
   * layers) are tracked by Keras, so `compile`/`fit`/`predict`/`evaluate`/`summary`/`countParams`/
   * `getWeights` work as for any model once it has seen data. `m.py` is a view (weakref.proxy) of
   * its Keras attributes. Errors thrown in `call` stop `fit` with `"<Class>.call() failed: ..."`.
   * Limits: Keras cannot rebuild such a model from a `.keras` file (save weights, or build the
   * model with {@link model} around custom layers); TS accessors are TS-only.
   * @throws TypeError for `new tf.LayersModel()` without a Python model, or an unknown option.
   */
  constructor(pyModelOrArgs?: PyProxy | CustomModelArgs) {
    if (!tspy.isProxy(pyModelOrArgs)) {
      if (new.target === LayersModel || new.target === Sequential)
        throw new TypeError("new tf.LayersModel() needs a Keras model; use tf.model({inputs, outputs}), tf.sequential() or a subclass with call()");
      return newCustomModel(new.target, LayersModel.prototype, pyModelOrArgs as CustomModelArgs | undefined) as LayersModel;
    }
    super(pyModelOrArgs);
  }

  /**
   * Configures training (tfjs's `compile({optimizer, loss, metrics})`): tfjs's camelCase names
   * ("meanSquaredError", "categoricalCrossentropy", "sparseCategoricalCrossentropy", "accuracy")
   * become Keras's; `tf.train.*` optimizers their Keras optimizer.
   * @throws PythonError when Keras does not know a name.
   */
  compile(args: ModelCompileArgs): void {
    const optimizer = typeof args.optimizer === "string" ? snakeValue(args.optimizer).toLowerCase() : unwrap(args.optimizer);
    const kw: Record<string, unknown> = { optimizer, loss: lossOrMetric(args.loss) };
    if (args.metrics !== undefined) kw.metrics = lossOrMetric(Array.isArray(args.metrics) || typeof args.metrics === "object" ? args.metrics : [args.metrics]);
    this.py.compile(tspy.kwargs(kw));
  }

  /**
   * Trains (tfjs's `fit(x, y, args)`; Keras's `fit`). Training runs synchronously in Keras; the
   * returned Promise settles after it and after every Promise that async callback hooks returned.
   * @returns a Promise of the {@link History} (`history.history.loss` is a `number[]`).
   * @throws TypeError (rejects) when an integer option is not an integer; PythonError from Keras
   *   (shape mismatch, not compiled); whatever a callback hook throws.
   */
  async fit(x: ModelData, y: ModelData, args: ModelFitArgs = {}): Promise<History> {
    const kw = toKwargs(
      "model.fit",
      args,
      {
        batchSize: "int",
        epochs: "int",
        validationSplit: "float",
        initialEpoch: "int",
        stepsPerEpoch: "int",
        validationSteps: "int",
        validationBatchSize: "int",
        validationFreq: "int",
      },
      ["callbacks", "validationData", "verbose", "classWeight", "yieldEvery"],
    );
    if (args.validationData) kw.validation_data = tspy.tuple(...args.validationData.map((d) => toPyData(d as ModelData)));
    return runFit(this, [toPyData(x), toPyData(y)], kw, args);
  }

  /**
   * Trains on a tf.data dataset (tfjs's `fitDataset(dataset, args)`; Keras's `fit` on a
   * `tf.data.Dataset`): its elements are batches, `{xs, ys}` objects (as from `tf.data.zip({xs,
   * ys})` or `tf.data.array([{xs, ys}, ...]).batch(n)`) or `[xs, ys]` arrays; a Python
   * `tf.data.Dataset` of `(x, y)` tuples (a PyProxy) is accepted too. Callbacks, verbosity and
   * the returned {@link History} are {@link fit}'s.
   * @throws TypeError (rejects) when `dataset` is not a dataset or an integer option is not an
   *   integer; PythonError from Keras (unbatched elements, shape mismatch, not compiled).
   */
  async fitDataset(dataset: Dataset | PyProxy, args: ModelFitDatasetArgs): Promise<History> {
    const kw = toKwargs("model.fitDataset", args, { epochs: "int", initialEpoch: "int" }, [
      "callbacks",
      "validationData",
      "verbose",
      "classWeight",
      "yieldEvery",
      "batchesPerEpoch",
      "validationBatches",
    ]);
    kw.steps_per_epoch = convertOption("model.fitDataset", "batchesPerEpoch", args.batchesPerEpoch, "int");
    kw.validation_steps = convertOption("model.fitDataset", "validationBatches", args.validationBatches, "int");
    kw.shuffle = false; // a dataset is read in its own order (shuffle it with dataset.shuffle)
    const v = args.validationData;
    if (v !== undefined) {
      kw.validation_data = Array.isArray(v) ? tspy.tuple(...v.map((d) => toPyData(d as ModelData))) : kerasDataset(v, "model.fitDataset validationData");
    }
    return runFit(this, [kerasDataset(dataset, "model.fitDataset")], kw, args);
  }

  /**
   * Loss and metrics on `x`, `y` (tfjs's `evaluate`): a scalar Tensor when the model has no
   * metrics, else one scalar per loss/metric in Keras's order.
   * @throws PythonError when the model is not compiled or shapes mismatch.
   */
  evaluate(x: ModelData, y: ModelData, args: ModelEvaluateArgs = {}): Tensor | Tensor[] {
    const kw = toKwargs("model.evaluate", args, { batchSize: "int", steps: "int" });
    kw.verbose = args.verbose ?? 0;
    const r = this.py.evaluate(toPyData(x), toPyData(y), tspy.kwargs(kw));
    if (typeof r === "number") return scalar(r);
    const values = tspy.toJS(r) as number[];
    return values.map((v) => scalar(v));
  }

  /**
   * Outputs for `x` (tfjs's `predict`), batch by batch: a Tensor (one per output for several).
   * @throws PythonError when shapes mismatch.
   */
  predict(x: ModelData, args: ModelEvaluateArgs = {}): Tensor | Tensor[] {
    const kw = toKwargs("model.predict", args, { batchSize: "int", steps: "int" });
    kw.verbose = args.verbose ?? 0;
    return wrapOutput(this.py.predict(toPyData(x), tspy.kwargs(kw))) as Tensor | Tensor[];
  }

  /** Trains on one batch (tfjs's `trainOnBatch`); returns the loss (and metrics) as numbers. */
  async trainOnBatch(x: ModelData, y: ModelData): Promise<number | number[]> {
    return tspy.toJS(this.py.train_on_batch(toPyData(x), toPyData(y))) as number | number[];
  }

  /**
   * Prints the layer table (tfjs's `summary(lineLength?, positions?, printFn?)`; Keras's layout).
   * Without `printFn` it goes to stdout (the notebook's output).
   */
  summary(lineLength?: number, positions?: number[], printFn?: (message: string) => void): void {
    const kw: Record<string, unknown> = { line_length: lineLength ?? null, positions: positions ?? null };
    if (printFn) kw.print_fn = (line: string) => printFn(line);
    this.py.summary(tspy.kwargs(kw));
  }

  /** The layers in order (wrappers; the same object for the same layer each time). */
  get layers(): Layer[] {
    const list = this.py.layers;
    const out = [...(list as Iterable<PyProxy>)].map(wrapLayer);
    tspy.destroy(list);
    return out;
  }
  /** The layer named `name`. @throws PythonError (ValueError) when there is none. */
  getLayer(name: string): Layer {
    return wrapLayer(this.py.get_layer(name));
  }
  /** The model's symbolic inputs. */
  get inputs(): SymbolicTensor[] {
    return [...(this.py.inputs as Iterable<PyProxy>)].map((t) => new SymbolicTensor(t));
  }
  /** The model's symbolic outputs. */
  get outputs(): SymbolicTensor[] {
    return [...(this.py.outputs as Iterable<PyProxy>)].map((t) => new SymbolicTensor(t));
  }
  /** Setting it true (from a callback) stops `fit` after the current epoch. */
  get stopTraining(): boolean {
    return Boolean(this.py.stop_training);
  }
  set stopTraining(value: boolean) {
    this.py.stop_training = value;
  }

  /**
   * Writes the model to a local file (tfjs's `save("file://...")`) in Keras's `.keras` format
   * (architecture, weights and optimizer state in one zip): "file://dir/name.keras" writes that
   * file, "file://dir" writes dir/model.keras (folders are created). Read it back with
   * {@link loadLayersModel} or Python's `keras.saving.load_model`.
   * @throws Error for a URL scheme other than file:// (indexeddb://, localstorage://, http:// are browser storage); PythonError from Keras.
   */
  async save(handlerOrURL: string): Promise<SaveResult> {
    if (/^[a-z]+:\/\//.test(handlerOrURL) && !handlerOrURL.startsWith("file://"))
      throw new Error(`model.save: only file:// URLs are supported here; got ${handlerOrURL}`);
    const file = keraPath(handlerOrURL);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.py.save(file);
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: "KerasV3", weightDataBytes: fs.statSync(file).size, path: file } };
  }
}

/**
 * A stack of layers (tfjs's `Sequential`, Keras's `Sequential`); {@link add} chains.
 */
export class Sequential extends LayersModel {
  /**
   * Appends a layer (tfjs's `add`); the first layer's `inputShape`/`batchInputShape` adds a
   * `keras.Input` before it. Returns the model, so `tf.sequential().add(a).add(b)` chains.
   * @throws PythonError when the layer does not fit the previous output.
   */
  add(layer: Layer | CustomLayer): this {
    const shape = (layer as { batchInputShape?: (number | null)[] | null }).batchInputShape;
    if (shape && tspy.len(this.py._layers) === 0) {
      this.py.add(py().keras.Input(tspy.kwargs({ batch_shape: tspy.tuple(...shape) })));
    }
    this.py.add(pyOf(layer));
    return this;
  }
  /** Removes the last layer (tfjs's `pop`). @throws PythonError when there is none. */
  pop(): void {
    this.py.pop();
  }
}

registerModelWrapper((p) => {
  const { keras } = py();
  if (tspy.isinstance(p, keras.Sequential)) return new Sequential(p);
  if (tspy.isinstance(p, keras.Model)) return new LayersModel(p);
  return null;
});

/** Options of {@link sequential} (tfjs's `SequentialArgs`). */
export interface SequentialArgs {
  /** Layers to add in order (the first one with `inputShape`). */
  layers?: (Layer | CustomLayer)[];
  /** The model's name. */
  name?: string;
}

/** tfjs's `tf.sequential({layers?, name?})`: a Keras `Sequential` model. @throws PythonError when a layer does not fit. */
export function sequential(config: SequentialArgs = {}): Sequential {
  const m = new Sequential(py().keras.Sequential(tspy.kwargs({ name: config.name ?? null })));
  for (const l of config.layers ?? []) m.add(l);
  return m;
}

/** Options of {@link model} (tfjs's `ContainerArgs`). */
export interface ContainerArgs {
  /** The model's inputs (from `tf.input`). */
  inputs: SymbolicTensor | SymbolicTensor[];
  /** Its outputs (from `layer.apply`). */
  outputs: SymbolicTensor | SymbolicTensor[];
  /** The model's name. */
  name?: string;
}

/** tfjs's `tf.model({inputs, outputs, name?})`: a functional Keras `Model`. @throws PythonError when outputs do not depend on inputs. */
export function model(args: ContainerArgs): LayersModel {
  return new LayersModel(py().keras.Model(tspy.kwargs({ inputs: unwrapInput(args.inputs), outputs: unwrapInput(args.outputs), name: args.name ?? null })));
}

/**
 * tfjs's `tf.loadLayersModel("file://...")`: reads a `.keras` file written by `model.save` (or by
 * Python Keras); "file://dir" reads dir/model.keras.
 * @throws Error for a URL scheme other than file://; PythonError when the file is missing or not a Keras model.
 */
export async function loadLayersModel(pathOrIOHandler: string): Promise<LayersModel> {
  if (/^[a-z]+:\/\//.test(pathOrIOHandler) && !pathOrIOHandler.startsWith("file://"))
    throw new Error(`tf.loadLayersModel: only file:// URLs are supported here; got ${pathOrIOHandler}`);
  const p = py().keras.saving.load_model(keraPath(pathOrIOHandler));
  return wrapLayer(p) as LayersModel;
}

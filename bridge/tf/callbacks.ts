// tfjs's training callbacks (`tf.Callback` subclasses, the `{onEpochEnd}` object form,
// `tf.callbacks.earlyStopping`) turned into Keras callbacks that `model.fit` runs. Knows Keras's
// Callback hooks through the bridge; nothing of the kernel.
import { type PyProxy, tspy } from "../lib/index.js";
import { py, snakeValue } from "./runtime.js";

/** Metric values of a step or an epoch, by name (tfjs's `Logs`): Keras's names ("loss", "accuracy", "val_loss"), plus tfjs's "acc"/"val_acc" for accuracy. */
export type Logs = { [key: string]: number };

/** The hooks of tfjs's `CustomCallbackArgs`; each may be sync or async (see {@link Callback}). */
export interface CustomCallbackArgs {
  /** Before the first epoch. */
  onTrainBegin?: (logs?: Logs) => void | Promise<void>;
  /** After the last epoch. */
  onTrainEnd?: (logs?: Logs) => void | Promise<void>;
  /** Before each epoch (`epoch` from 0). */
  onEpochBegin?: (epoch: number, logs?: Logs) => void | Promise<void>;
  /** After each epoch, with its loss and metrics (and validation ones). */
  onEpochEnd?: (epoch: number, logs?: Logs) => void | Promise<void>;
  /** Before each training batch (`batch` from 0 in each epoch). */
  onBatchBegin?: (batch: number, logs?: Logs) => void | Promise<void>;
  /** After each training batch, with the running loss and metrics. */
  onBatchEnd?: (batch: number, logs?: Logs) => void | Promise<void>;
}

/** What a tspy/tf model exposes to callbacks: the model being trained, with `stopTraining` (see models.ts's LayersModel). */
export interface TrainingModel {
  /** Setting it true stops `fit` after the current epoch (Keras's `model.stop_training`). */
  stopTraining: boolean;
  /** The Keras model. */
  readonly py: PyProxy;
}

/**
 * tfjs's `Callback` (https://js.tensorflow.org/api/latest/#class:Callback): subclass it and
 * override any hook — `class C extends tf.Callback { async onEpochEnd(epoch, logs) {...} }` — and
 * pass instances in `fit`'s `callbacks`. `this.model` is the model being trained and `this.params`
 * Keras's params (`epochs`, `steps`, `verbose`).
 *
 * Hooks run during Keras's training loop, synchronously: a hook that returns a Promise is started
 * there (its code up to its first `await` runs at that point of training), and `fit` awaits every
 * such Promise before its own Promise settles (a rejection rejects `fit`). Training does not wait
 * for them in between, unlike tfjs. A hook that throws synchronously stops training with that error.
 */
export class Callback {
  /** The model being trained (set by `fit`). */
  model: TrainingModel | null = null;
  /** Keras's training parameters (`epochs`, `steps`, `verbose`), set by `fit`. */
  params: Record<string, unknown> = {};
  /** Sets {@link model} (tfjs's `setModel`). */
  setModel(model: TrainingModel): void {
    this.model = model;
  }
  /** Sets {@link params} (tfjs's `setParams`). */
  setParams(params: Record<string, unknown>): void {
    this.params = params;
  }
  /** Before the first epoch. */
  async onTrainBegin(_logs?: Logs): Promise<void> {}
  /** After the last epoch. */
  async onTrainEnd(_logs?: Logs): Promise<void> {}
  /** Before each epoch (`epoch` from 0). */
  async onEpochBegin(_epoch: number, _logs?: Logs): Promise<void> {}
  /** After each epoch, with its loss, metrics and validation metrics. */
  async onEpochEnd(_epoch: number, _logs?: Logs): Promise<void> {}
  /** Before each training batch. */
  async onBatchBegin(_batch: number, _logs?: Logs): Promise<void> {}
  /** After each training batch. */
  async onBatchEnd(_batch: number, _logs?: Logs): Promise<void> {}
}

/** tfjs's `CustomCallback`: a {@link Callback} whose hooks are those of a {@link CustomCallbackArgs} object. */
export class CustomCallback extends Callback {
  /** @param args the hooks. */
  constructor(private readonly args: CustomCallbackArgs) {
    super();
    for (const hook of HOOKS) {
      const f = args[hook[0]];
      if (f) (this as unknown as Record<string, unknown>)[hook[0]] = (...a: unknown[]) => (f as (...x: unknown[]) => unknown)(...a);
    }
  }
}

/** A Keras callback given by its Python object (what `tf.callbacks.earlyStopping` returns). */
export class KerasCallback {
  /** @param py the Python `keras.callbacks.Callback`. */
  constructor(readonly py: PyProxy) {}
}

/** tfjs hook name, Keras hook name, whether it gets a step number. */
const HOOKS = [
  ["onTrainBegin", "on_train_begin", false],
  ["onTrainEnd", "on_train_end", false],
  ["onEpochBegin", "on_epoch_begin", true],
  ["onEpochEnd", "on_epoch_end", true],
  ["onBatchBegin", "on_train_batch_begin", true],
  ["onBatchEnd", "on_train_batch_end", true],
] as const;

/** Keras logs (a dict PyProxy or None) as tfjs {@link Logs}. */
export function toLogs(logs: unknown): Logs {
  if (!tspy.isProxy(logs)) return {};
  const d = py().helpers.floats(logs);
  const out = tspy.toJS(d) as Logs;
  tspy.destroy(d);
  if ("accuracy" in out) out.acc = out.accuracy;
  if ("val_accuracy" in out) out.val_acc = out.val_accuracy;
  return out;
}

/** What `fit`'s `callbacks` option accepts (tfjs's `BaseCallback[] | CustomCallbackArgs | CustomCallbackArgs[]`). */
export type CallbackSpec = Callback | KerasCallback | CustomCallbackArgs | PyProxy;

/**
 * The Keras callbacks for `fit`'s `callbacks` option, and the Promises that async hooks start
 * (collected in `pending`, awaited by `fit`).
 * @param model the model being trained (set as each Callback's `model`).
 */
export function toKerasCallbacks(specs: CallbackSpec | CallbackSpec[] | undefined, model: TrainingModel, pending: Promise<unknown>[]): unknown[] {
  if (specs === undefined) return [];
  const list = Array.isArray(specs) ? specs : [specs];
  return list.map((spec) => {
    if (tspy.isProxy(spec)) return spec;
    if (spec instanceof KerasCallback) return spec.py;
    const cb = spec instanceof Callback ? spec : new CustomCallback(spec as CustomCallbackArgs);
    cb.setModel(model);
    const methods: Record<string, unknown> = {};
    for (const [tfjsName, kerasName, withStep] of HOOKS) {
      const own = (cb as unknown as Record<string, unknown>)[tfjsName];
      if (typeof own !== "function" || own === (Callback.prototype as unknown as Record<string, unknown>)[tfjsName]) continue;
      const run = (r: unknown): void => {
        if (r instanceof Promise) pending.push(r);
      };
      methods[kerasName] = withStep
        ? function (this: unknown, step: number, logs?: unknown) {
            run((own as (s: number, l: Logs) => unknown).call(cb, step, toLogs(logs)));
          }
        : function (this: unknown, logs?: unknown) {
            run((own as (l: Logs) => unknown).call(cb, toLogs(logs)));
          };
    }
    const base = py().keras.callbacks.Callback;
    methods.set_params = function (this: unknown, params: unknown) {
      base.set_params(this, params);
      cb.setParams(tspy.toJS(params) as Record<string, unknown>);
    };
    const cls = tspy.subclass(base, methods, { name: `TfjsCallback_${cb.constructor.name || "Custom"}` });
    const inst = cls();
    tspy.destroy(cls);
    return inst;
  });
}

/** Options of {@link earlyStopping} (tfjs's `EarlyStoppingCallbackArgs`). */
export interface EarlyStoppingCallbackArgs {
  /** Quantity to watch (default "val_loss"; tfjs's "acc"/"val_acc" mean Keras's "accuracy"/"val_accuracy"). */
  monitor?: string;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** 0: silent; 1: a message when it stops. */
  verbose?: number;
  /** "min", "max" or "auto" (from the monitored name). */
  mode?: "auto" | "min" | "max";
  /** Stop unless the monitored value beats this baseline. */
  baseline?: number;
  /** Restore the weights of the best epoch when stopping (Keras option; tfjs does not have it). */
  restoreBestWeights?: boolean;
}

/**
 * tfjs's `tf.callbacks.earlyStopping(args)`: Keras's `EarlyStopping`, stopping `fit` when the
 * monitored metric stops improving.
 * @throws TypeError when `patience` is not an integer; PythonError when Keras rejects the options.
 */
export function earlyStopping(args: EarlyStoppingCallbackArgs = {}): KerasCallback {
  if (args.patience !== undefined && !Number.isInteger(args.patience))
    throw new TypeError(`tf.callbacks.earlyStopping: option 'patience' must be an integer; got ${args.patience}`);
  const monitor = (args.monitor ?? "val_loss").replace(/^(val_)?acc$/, "$1accuracy");
  return new KerasCallback(
    py().keras.callbacks.EarlyStopping(
      tspy.kwargs({
        monitor: snakeValue(monitor),
        min_delta: tspy.float(args.minDelta ?? 0),
        patience: args.patience ?? 0,
        verbose: args.verbose ?? 0,
        mode: args.mode ?? "auto",
        baseline: args.baseline === undefined ? null : tspy.float(args.baseline),
        restore_best_weights: args.restoreBestWeights ?? false,
      }),
    ),
  );
}

/** `tf.callbacks`: tfjs's callback factories. */
export const callbacks = { earlyStopping };

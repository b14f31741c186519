// tfjs's `tf.serialization` (https://js.tensorflow.org/api/latest/#serialization.registerClass)
// over Keras's serialization registry (keras.saving.register_keras_serializable): a registered
// custom layer class can be rebuilt by `tf.loadLayersModel` from a `.keras` file.
import { tspy } from "../lib/index.js";
import { CustomLayer, pythonClass } from "./custom-layer.js";
import { py } from "./runtime.js";

/** A class that {@link serialization.registerClass} takes: a TS class extending `tf.layers.Layer`. */
export interface SerializableConstructor {
  /** The class (constructed with its config when Keras rebuilds it). */
  new (config: never): CustomLayer;
  /** The name it is saved under (tfjs's `static className`; default: the class's name). */
  className?: string;
  /** The class's name. */
  readonly name: string;
}

/** The Keras package tfjs-registered classes are saved under: Keras's registered name is "tfjs>ClassName". */
const PACKAGE = "tfjs";

/**
 * `tf.serialization`: tfjs's registry of classes that saved models may contain.
 */
export const serialization = {
  /**
   * Registers a custom layer class (tfjs's `registerClass(cls)`) with Keras
   * (`keras.saving.register_keras_serializable(package="tfjs", name=cls.className)`), so that
   * `model.save(path)` records it by name and `tf.loadLayersModel(path)` (or Python's
   * `keras.saving.load_model`) rebuilds it: Keras calls `new cls(config)` with what the layer's
   * `getConfig()` returned (override it to save your constructor's options), then `build` and
   * the saved weights. Registering is for the life of the process, as in tfjs.
   * @returns the class.
   * @throws TypeError when `cls` does not extend `tf.layers.Layer` (a custom model cannot be
   *   rebuilt from a config: save a functional or sequential model around custom layers).
   */
  registerClass<T extends SerializableConstructor>(cls: T): T {
    if (!(cls.prototype instanceof CustomLayer))
      throw new TypeError(`tf.serialization.registerClass: ${cls.name} does not extend tf.layers.Layer (custom layers only)`);
    const name = cls.className ?? cls.name;
    const register = py().keras.saving.register_keras_serializable(tspy.kwargs({ package: PACKAGE, name }));
    register(pythonClass(cls));
    return cls;
  },
};

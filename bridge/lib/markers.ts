// The conversion markers: JS values that say how a value converts to Python (float, slice,
// keyword arguments). The addon recognises their classes (loadBridge gives them). Imports nothing.

/** Marks a number to be passed to Python as a float (`tspy.float(2)` is `2.0`). Made by {@link Tspy.float}. */
export class PyFloat {
  /** @param value the number (any finite or non-finite double). */
  constructor(readonly value: number) {}
}

/**
 * Marks a Python `slice(start, stop, step)` (converted JS -> Python; `null`/`undefined` is None).
 * Made by {@link Tspy.slice}; e.g. `tspy.getItem(a, tspy.slice(null, null, 2))` is `a[::2]`.
 */
export class PySlice {
  /**
   * @param start first index (None when null/undefined).
   * @param stop end index, exclusive (None when null/undefined).
   * @param step stride (None when null/undefined).
   */
  constructor(
    readonly start: number | bigint | null | undefined,
    readonly stop: number | bigint | null | undefined,
    readonly step: number | bigint | null | undefined,
  ) {}
}

/**
 * Keyword arguments for a Python call; valid only as the LAST argument. Made by {@link Tspy.kwargs}.
 * `T` is the object of names the callee declares (the notebook's generated declarations name it),
 * so a misspelt keyword is a type error; `any` (the default) accepts every name.
 */
export class PyKwargs<T extends object = any> {
  /** @param kwargs names to values (values converted JS -> Python). */
  constructor(readonly kwargs: Readonly<T>) {}
}

"""Array aliases shared by the engine's modules."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
Float32Array = npt.NDArray[np.float32]
UInt64Array = npt.NDArray[np.uint64]
UInt8Array = npt.NDArray[np.uint8]
Int8Array = npt.NDArray[np.int8]
Index = slice | IntArray
Int32Array = npt.NDArray[np.int32]

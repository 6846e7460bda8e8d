"""Parameter counts from a model's files, without loading weights.

``config.json`` (Hugging Face layout) gives a count by formula for the architectures below;
``.safetensors`` files give an exact count from their header alone (an 8-byte length, then a
JSON table of tensor names, dtypes, shapes and byte offsets). Weights are never read.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gpact import safeio
from gpact.compute.architecture import AttentionShape
from gpact.compute.files import read_mapping
from gpact.errors import InputError

MAX_HEADER_BYTES = 100 * 1024 * 1024  # the safetensors format itself caps headers at 100 MB
PACKED_SUFFIXES = (".qweight", ".qzeros", ".absmax", ".quant_map", ".quant_state",
                   ".weight_packed")
INTEGER_DTYPES = ("U8", "I8", "I32", "U32")
DTYPE_BYTES = {
    "BOOL": 1, "U8": 1, "I8": 1, "F8_E4M3": 1, "F8_E5M2": 1, "F8_E8M0": 1,
    "I16": 2, "U16": 2, "F16": 2, "BF16": 2, "I32": 4, "U32": 4, "F32": 4,
    "I64": 8, "U64": 8, "F64": 8, "C64": 8, "F4": 1, "F6_E2M3": 1, "F6_E3M2": 1,
}


@dataclass(frozen=True)
class ParameterCount:
    """Total parameters, active per token (mixture-of-experts), and how they were counted."""

    total: int
    active: int | None
    method: str
    architecture: str | None = None
    attention: AttentionShape | None = None
    tensors: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"parameters": self.total, "active_parameters": self.active,
                "method": self.method, "architecture": self.architecture,
                "tensors": self.tensors,
                "attention": None if self.attention is None else {
                    "layers": self.attention.layers, "context": self.attention.context,
                    "hidden": self.attention.hidden}}


# --- config.json ---------------------------------------------------------------------------

class _Config:
    """Typed access to config.json fields with errors that name the field."""

    def __init__(self, data: dict[str, Any], file: str) -> None:
        self.data = data
        self.file = file

    def int(self, *names: str, default: int | None = None) -> int:
        for name in names:
            value = self.data.get(name)
            if value is not None:
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    raise InputError(self.file, name,
                                     f"expected a non-negative integer, got {value!r}")
                return value
        if default is not None:
            return default
        raise InputError(self.file, names[0], "missing (needed to count parameters)")

    def flag(self, name: str, default: bool) -> bool:
        value = self.data.get(name, default)
        if not isinstance(value, bool):
            raise InputError(self.file, name, f"expected true or false, got {value!r}")
        return value


def _embeddings(c: _Config, hidden: int, tied_default: bool) -> int:
    vocab = c.int("vocab_size")
    tied = c.flag("tie_word_embeddings", tied_default)
    return vocab * hidden * (1 if tied else 2)


def _llama_family(c: _Config, *, qkv_bias: bool, qk_norm: bool, moe: bool) -> tuple[int, int]:
    """Llama-style decoder (RMSNorm, gated MLP, grouped-query attention): (total, active)."""
    h = c.int("hidden_size")
    layers = c.int("num_hidden_layers")
    heads = c.int("num_attention_heads")
    kv = c.int("num_key_value_heads", default=heads)
    head_dim = c.int("head_dim", default=h // heads if heads else 0)
    q_out, kv_out = heads * head_dim, kv * head_dim
    attn = h * q_out + 2 * h * kv_out + q_out * h
    if qkv_bias or c.flag("attention_bias", False):
        attn += q_out + 2 * kv_out
    if qk_norm:
        attn += 2 * head_dim
    norms = 2 * h
    if not moe:
        mlp = 3 * h * c.int("intermediate_size")
        mlp_total = mlp_active = mlp
    else:
        experts = c.int("num_local_experts")
        per_token = c.int("num_experts_per_tok")
        inter = c.int("intermediate_size")
        if per_token > experts or experts == 0:
            raise InputError(c.file, "num_experts_per_tok",
                             f"{per_token} experts per token but {experts} experts")
        expert = 3 * h * inter
        router = h * experts
        mlp_total = experts * expert + router
        mlp_active = per_token * expert + router
    per_layer_fixed = attn + norms
    embed = _embeddings(c, h, tied_default=False)
    total = embed + layers * (per_layer_fixed + mlp_total) + h
    active = embed + layers * (per_layer_fixed + mlp_active) + h
    return total, active


def _gpt_neox(c: _Config) -> tuple[int, int]:
    """GPT-NeoX / Pythia: LayerNorm with bias, fused QKV with bias, 2-matrix MLP."""
    h = c.int("hidden_size")
    layers = c.int("num_hidden_layers")
    inter = c.int("intermediate_size", default=4 * h)
    per_layer = (4 * h                       # two LayerNorms, weight + bias
                 + h * 3 * h + 3 * h         # query_key_value
                 + h * h + h                 # attention output
                 + h * inter + inter         # dense_h_to_4h
                 + inter * h + h)            # dense_4h_to_h
    total = _embeddings(c, h, tied_default=False) + layers * per_layer + 2 * h
    return total, total


Counter = Callable[[_Config], tuple[int, int]]
ARCHITECTURES: dict[str, Counter] = {
    "llama": lambda c: _llama_family(c, qkv_bias=False, qk_norm=False, moe=False),
    "mistral": lambda c: _llama_family(c, qkv_bias=False, qk_norm=False, moe=False),
    "qwen2": lambda c: _llama_family(c, qkv_bias=True, qk_norm=False, moe=False),
    "qwen3": lambda c: _llama_family(c, qkv_bias=False, qk_norm=True, moe=False),
    "mixtral": lambda c: _llama_family(c, qkv_bias=False, qk_norm=False, moe=True),
    "gpt_neox": _gpt_neox,
}


def count_from_config(path: str | Path) -> ParameterCount:
    """Count parameters from a Hugging Face ``config.json`` by the architecture's formula."""
    path = Path(path)
    file = str(path)
    data = read_mapping(path, safeio.MODEL_CONFIG)
    model_type = data.get("model_type")
    if not isinstance(model_type, str):
        raise InputError(file, "model_type", "missing; cannot tell the architecture")
    counter = ARCHITECTURES.get(model_type)
    if counter is None:
        raise InputError(file, "model_type", f"unsupported architecture {model_type!r} "
                         f"(supported: {', '.join(sorted(ARCHITECTURES))}); count exactly from "
                         "the .safetensors files instead")
    c = _Config(data, file)
    total, active = counter(c)
    is_moe = active != total
    shape = AttentionShape(layers=c.int("num_hidden_layers"),
                           context=c.int("max_position_embeddings", default=0),
                           hidden=c.int("hidden_size"))
    return ParameterCount(total=total, active=active if is_moe else None,
                          method=f"formula for {model_type} from config.json",
                          architecture=model_type,
                          attention=shape if shape.context else None)


# --- safetensors ---------------------------------------------------------------------------

def _read_header(path: Path) -> dict[str, Any]:
    file = str(path)
    try:
        with path.open("rb") as fh:
            size = fh.seek(0, 2)
            fh.seek(0)
            raw = fh.read(8)
            if len(raw) < 8:
                raise InputError(file, "header", "file too short for a safetensors header")
            (length,) = struct.unpack("<Q", raw)
            if length > MAX_HEADER_BYTES or 8 + length > size:
                raise InputError(file, "header", f"declared header length {length} does not fit "
                                 f"the file ({size} bytes): not a safetensors file?")
            text = fh.read(length)
    except FileNotFoundError:
        raise InputError(file, None, "no such file") from None
    except IsADirectoryError:
        raise InputError(file, None, "is a folder") from None
    try:
        header = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(file, "header", f"not valid JSON: {exc}") from None
    if not isinstance(header, dict):
        raise InputError(file, "header", "expected a JSON object of tensors")
    data_bytes = size - 8 - length
    for name, info in header.items():
        if name == "__metadata__":
            continue
        _check_tensor(file, name, info, data_bytes)
    return header


def _check_tensor(file: str, name: str, info: Any, data_bytes: int) -> None:
    if not isinstance(info, dict) or not isinstance(info.get("shape"), list) \
            or not isinstance(info.get("data_offsets"), list) or len(info["data_offsets"]) != 2:
        raise InputError(file, name, "tensor entry needs dtype, shape and data_offsets")
    shape = info["shape"]
    if not all(isinstance(d, int) and not isinstance(d, bool) and d >= 0 for d in shape):
        raise InputError(file, name, f"shape must be non-negative integers, got {shape!r}")
    start, end = info["data_offsets"]
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= data_bytes):
        raise InputError(file, name, f"data_offsets {info['data_offsets']} outside the "
                         f"{data_bytes}-byte data section (truncated file?)")
    width = DTYPE_BYTES.get(str(info.get("dtype")))
    if width is None:
        raise InputError(file, name, f"unknown dtype {info.get('dtype')!r}")
    if info.get("dtype") not in ("F4", "F6_E2M3", "F6_E3M2") \
            and end - start != math.prod(shape) * width:
        raise InputError(file, name, f"{end - start} bytes do not match shape {shape} of "
                         f"{info['dtype']}")


def safetensors_files(paths: Sequence[str | Path]) -> list[Path]:
    """Expand folders into their ``*.safetensors`` files (sharded checkpoints)."""
    files: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found = sorted(p.glob("*.safetensors"))
            if not found:
                raise InputError(str(p), None, "folder holds no .safetensors files")
            files.extend(found)
        else:
            files.append(p)
    return files


def count_from_safetensors(paths: Sequence[str | Path]) -> ParameterCount:
    """Exact count: the sum of the element counts of every tensor in the headers."""
    total = 0
    tensors = 0
    seen: dict[str, str] = {}
    for path in safetensors_files(paths):
        header = _read_header(path)
        for name, info in header.items():
            if name == "__metadata__":
                continue
            if name in seen:
                raise InputError(str(path), name, f"tensor also stored in {seen[name]}: "
                                 "overlapping shards would be counted twice")
            seen[name] = str(path)
            if name.endswith(PACKED_SUFFIXES) or (
                    name.endswith(".weight") and info.get("dtype") in INTEGER_DTYPES):
                raise InputError(str(path), name, "looks like a quantised (packed) weight: its "
                                 "element count is not a parameter count; count the "
                                 "unquantised checkpoint or its config.json instead")
            total += math.prod(info["shape"])
            tensors += 1
    return ParameterCount(total=total, active=None, method="exact, from .safetensors headers",
                          tensors=tensors)

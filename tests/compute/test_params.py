"""Parameter counting from config.json (by formula) and .safetensors headers (exactly)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gpact.compute import count_from_config, count_from_safetensors
from gpact.errors import InputError

from .conftest import write_safetensors

LLAMA2_7B = {"model_type": "llama", "vocab_size": 32000, "hidden_size": 4096,
             "intermediate_size": 11008, "num_hidden_layers": 32, "num_attention_heads": 32,
             "num_key_value_heads": 32, "max_position_embeddings": 4096,
             "tie_word_embeddings": False}
MIXTRAL_8X7B = {"model_type": "mixtral", "vocab_size": 32000, "hidden_size": 4096,
                "intermediate_size": 14336, "num_hidden_layers": 32, "num_attention_heads": 32,
                "num_key_value_heads": 8, "num_local_experts": 8, "num_experts_per_tok": 2,
                "max_position_embeddings": 32768}
PYTHIA_70M = {"model_type": "gpt_neox", "vocab_size": 50304, "hidden_size": 512,
              "intermediate_size": 2048, "num_hidden_layers": 6, "num_attention_heads": 8,
              "max_position_embeddings": 2048}


def config(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "config.json"
    path.write_text(json.dumps(data))
    return path


def test_llama2_7b_matches_its_published_count(tmp_path: Path) -> None:
    counted = count_from_config(config(tmp_path, LLAMA2_7B))
    assert counted.total == 6_738_415_616  # the count Llama-2-7b's checkpoint holds
    assert counted.active is None
    assert counted.attention is not None and counted.attention.context == 4096


def test_mixtral_total_and_active(tmp_path: Path) -> None:
    counted = count_from_config(config(tmp_path, MIXTRAL_8X7B))
    assert counted.total == 46_702_792_704
    assert counted.active == 12_879_925_248


def test_pythia_70m_gpt_neox(tmp_path: Path) -> None:
    assert count_from_config(config(tmp_path, PYTHIA_70M)).total == 70_426_624


def test_tiny_qwen2_by_hand(tmp_path: Path) -> None:
    # V=10, h=8, 1 layer, 2 heads of 4, 1 kv head, MLP 16, tied embeddings, qkv bias
    data = {"model_type": "qwen2", "vocab_size": 10, "hidden_size": 8, "intermediate_size": 16,
            "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
            "tie_word_embeddings": True}
    attn = 8 * 8 + 2 * 8 * 4 + 8 * 8 + (8 + 2 * 4)
    expected = 10 * 8 + attn + 3 * 8 * 16 + 2 * 8 + 8
    assert count_from_config(config(tmp_path, data)).total == expected


def test_qwen3_adds_qk_norm(tmp_path: Path) -> None:
    base = dict(LLAMA2_7B, model_type="llama")
    q3 = dict(LLAMA2_7B, model_type="qwen3", head_dim=128)
    diff = count_from_config(config(tmp_path, q3)).total - count_from_config(
        config(tmp_path, base)).total
    assert diff == 32 * 2 * 128


@pytest.mark.parametrize(("data", "field", "problem"), [
    ({"model_type": "t5"}, "model_type", "unsupported architecture 't5'"),
    ({"vocab_size": 3}, "model_type", "missing"),
    (dict(LLAMA2_7B, hidden_size=None), "hidden_size", "missing"),
    (dict(LLAMA2_7B, num_hidden_layers="32"), "num_hidden_layers", "non-negative integer"),
    (dict(MIXTRAL_8X7B, num_experts_per_tok=9), "num_experts_per_tok", "9 experts per token"),
])
def test_config_errors_name_the_field(tmp_path: Path, data: dict[str, Any], field: str,
                                      problem: str) -> None:
    with pytest.raises(InputError) as exc:
        count_from_config(config(tmp_path, data))
    assert exc.value.field == field
    assert problem in exc.value.problem
    assert exc.value.file == str(tmp_path / "config.json")


def test_safetensors_exact_count(tmp_path: Path) -> None:
    path = write_safetensors(tmp_path / "m.safetensors", {
        "embed.weight": ("BF16", [100, 16]), "layer.0.w": ("F32", [16, 16]),
        "layer.0.b": ("F32", [16]), "scalar": ("F32", [])})
    counted = count_from_safetensors([path])
    assert counted.total == 1600 + 256 + 16 + 1
    assert counted.tensors == 4


def test_safetensors_shards_in_a_folder_add_up(tmp_path: Path) -> None:
    write_safetensors(tmp_path / "model-00001-of-00002.safetensors", {"a": ("F16", [10, 10])})
    write_safetensors(tmp_path / "model-00002-of-00002.safetensors", {"b": ("F16", [5])})
    assert count_from_safetensors([tmp_path]).total == 105


def test_a_tensor_in_two_shards_is_refused(tmp_path: Path) -> None:
    a = write_safetensors(tmp_path / "a.safetensors", {"w": ("F16", [4])})
    b = write_safetensors(tmp_path / "b.safetensors", {"w": ("F16", [4])})
    with pytest.raises(InputError, match="counted twice"):
        count_from_safetensors([a, b])


def test_header_only_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A 1-GB tensor is counted without reading its bytes."""
    path = tmp_path / "big.safetensors"
    header = json.dumps({"w": {"dtype": "U8", "shape": [1024, 1024, 1024],
                               "data_offsets": [0, 1024 ** 3]}}).encode()
    with path.open("wb") as fh:
        fh.write(len(header).to_bytes(8, "little") + header)
        fh.truncate(8 + len(header) + 1024 ** 3)  # sparse file: no data written
    reads: list[int] = []
    real_open = Path.open

    def spy(self: Path, *args: Any, **kwargs: Any) -> Any:
        fh = real_open(self, *args, **kwargs)
        real_read = fh.read
        fh.read = lambda n=-1: reads.append(n) or real_read(n)  # type: ignore[method-assign]
        return fh

    monkeypatch.setattr(Path, "open", spy)
    assert count_from_safetensors([path]).total == 1024 ** 3
    assert all(0 <= n <= len(header) for n in reads)


@pytest.mark.parametrize(("mutate", "problem"), [
    (lambda p: p.write_bytes(b"\x01\x02"), "too short"),
    (lambda p: p.write_bytes((10 ** 9).to_bytes(8, "little") + b"{}"), "does not fit"),
    (lambda p: p.write_bytes((2).to_bytes(8, "little") + b"{x"), "not valid JSON"),
])
def test_bad_safetensors(tmp_path: Path, mutate: Callable[[Path], Any], problem: str) -> None:
    path = tmp_path / "bad.safetensors"
    mutate(path)
    with pytest.raises(InputError, match=problem):
        count_from_safetensors([path])


def test_truncated_safetensors_is_refused(tmp_path: Path) -> None:
    path = write_safetensors(tmp_path / "t.safetensors", {"w": ("F32", [64])}, truncate=10)
    with pytest.raises(InputError, match="truncated"):
        count_from_safetensors([path])


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shapes=st.lists(st.lists(st.integers(0, 12), max_size=3), min_size=1, max_size=6))
def test_safetensors_count_is_the_sum_of_shapes(tmp_path: Path, shapes: list[list[int]]) -> None:
    tensors = {f"t{i}": ("F16", s) for i, s in enumerate(shapes)}
    path = write_safetensors(tmp_path / "h.safetensors", tensors)
    assert count_from_safetensors([path]).total == sum(math.prod(s) for s in shapes)


@pytest.mark.parametrize("tensors", [
    {"model.layers.0.mlp.qweight": ("I64", [4, 4])},
    {"model.layers.0.mlp.weight": ("U8", [8, 2])},
])
def test_quantised_checkpoints_are_refused(tmp_path: Path,
                                           tensors: dict[str, tuple[str, list[int]]]) -> None:
    path = write_safetensors(tmp_path / "q.safetensors", tensors)
    with pytest.raises(InputError, match="quantised"):
        count_from_safetensors([path])

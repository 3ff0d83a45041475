"""Reference solution of the multi-head attention drill (see the stub for the spec)."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["MultiHeadAttention"]


def _softmax(x: np.ndarray) -> np.ndarray:
    peak = np.max(x, axis=-1, keepdims=True)
    e = np.exp(x - np.where(np.isfinite(peak), peak, 0.0))
    total = e.sum(axis=-1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, e / total, 0.0)


class MultiHeadAttention:
    """``torch.nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)`` in NumPy."""

    def __init__(self, embed_dim: int, num_heads: int, seed: int = 0) -> None:
        if num_heads < 1 or embed_dim % num_heads:
            raise ValueError(f"embed_dim={embed_dim} must be divisible by num_heads={num_heads}")
        self.embed_dim = embed_dim
        self.num_heads = num_heads
        self.head_dim = embed_dim // num_heads
        rng = np.random.default_rng(seed)
        bound = np.sqrt(6.0 / (embed_dim + 3 * embed_dim))  # xavier uniform, like torch
        self.in_proj_weight = rng.uniform(-bound, bound, (3 * embed_dim, embed_dim))
        self.in_proj_bias = np.zeros(3 * embed_dim)
        bound = 1.0 / np.sqrt(embed_dim)
        self.out_proj_weight = rng.uniform(-bound, bound, (embed_dim, embed_dim))
        self.out_proj_bias = np.zeros(embed_dim)

    def load_state_dict(self, state: Mapping[str, np.ndarray]) -> None:
        """Copy weights from ``torch.nn.MultiheadAttention.state_dict()`` (as NumPy arrays)."""
        e = self.embed_dim
        expected = {
            "in_proj_weight": (3 * e, e),
            "in_proj_bias": (3 * e,),
            "out_proj.weight": (e, e),
            "out_proj.bias": (e,),
        }
        values = {}
        for key, shape in expected.items():
            if key not in state:
                raise ValueError(f"state has no {key!r} (keys: {sorted(state)})")
            value = np.array(state[key], dtype=np.float64)
            if value.shape != shape:
                raise ValueError(f"{key} must have shape {shape}, got {value.shape}")
            values[key] = value
        self.in_proj_weight = values["in_proj_weight"]
        self.in_proj_bias = values["in_proj_bias"]
        self.out_proj_weight = values["out_proj.weight"]
        self.out_proj_bias = values["out_proj.bias"]

    def split_heads(self, x: np.ndarray) -> np.ndarray:
        """``(B, T, E)`` -> ``(B, H, T, E // H)``; head ``h`` takes features ``h*D:(h+1)*D``."""
        b, t, _ = x.shape
        return x.reshape(b, t, self.num_heads, self.head_dim).transpose(0, 2, 1, 3)

    def merge_heads(self, x: np.ndarray) -> np.ndarray:
        """``(B, H, T, D)`` -> ``(B, T, H * D)``, the inverse of :meth:`split_heads`."""
        b, h, t, d = x.shape
        return x.transpose(0, 2, 1, 3).reshape(b, t, h * d)

    def __call__(
        self,
        query: np.ndarray,
        key: np.ndarray,
        value: np.ndarray,
        key_padding_mask: np.ndarray | None = None,
        attn_mask: np.ndarray | None = None,
        need_weights: bool = True,
        average_attn_weights: bool = True,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        return self.forward(
            query, key, value, key_padding_mask, attn_mask, need_weights, average_attn_weights
        )

    def forward(
        self,
        query: np.ndarray,
        key: np.ndarray,
        value: np.ndarray,
        key_padding_mask: np.ndarray | None = None,
        attn_mask: np.ndarray | None = None,
        need_weights: bool = True,
        average_attn_weights: bool = True,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """Multi-head attention, batch first; returns ``(output, weights or None)``."""
        query, key, value = (np.asarray(a, dtype=np.float64) for a in (query, key, value))
        e = self.embed_dim
        if query.ndim != 3 or query.shape[-1] != e or key.shape != value.shape:
            raise ValueError(
                f"expected query (B, L, {e}) and key/value (B, S, {e}), got {query.shape}, "
                f"{key.shape}, {value.shape}"
            )
        b, length, _ = query.shape
        s = key.shape[1]
        w_q, w_k, w_v = np.split(self.in_proj_weight, 3)
        b_q, b_k, b_v = np.split(self.in_proj_bias, 3)
        q = self.split_heads(query @ w_q.T + b_q)
        k = self.split_heads(key @ w_k.T + b_k)
        v = self.split_heads(value @ w_v.T + b_v)
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(self.head_dim)  # (B, H, L, S)
        blocked = np.zeros((b, self.num_heads, length, s), dtype=bool)
        if key_padding_mask is not None:
            blocked |= np.asarray(key_padding_mask, dtype=bool)[:, None, None, :]
        if attn_mask is not None:
            mask = np.asarray(attn_mask, dtype=bool)
            if mask.ndim == 3:
                mask = mask.reshape(b, self.num_heads, length, s)
            blocked |= mask
        weights = _softmax(np.where(blocked, -np.inf, scores))
        out = self.merge_heads(weights @ v) @ self.out_proj_weight.T + self.out_proj_bias
        if not need_weights:
            return out, None
        return out, weights.mean(axis=1) if average_attn_weights else weights

#!/usr/bin/env python3
"""Reference forward pass of a Llama / Qwen2 checkpoint in Hugging Face layout, in plain PyTorch.

Written from the published architecture (Hugging Face's modeling_llama / modeling_qwen2, eager
attention, float32), independently of Ballast's Java code, so the Java model can be checked
against it. Reads config.json and model.safetensors or model.safetensors.index.json itself
(Debian has python3-torch but no safetensors or transformers package).

usage: llama_reference.py CHECKPOINT_DIR IDS(comma separated) OUT_FILE
writes the logits (T, vocab_size) as JSON.
"""
import json
import math
import os
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        raw = bytearray(data[base + begin:base + end])
        t = torch.frombuffer(raw, dtype=DTYPES[info["dtype"]]) if raw else torch.zeros(0)
        out[name] = t.reshape(info["shape"]).float()
    return out


def read_checkpoint(directory):
    index = os.path.join(directory, "model.safetensors.index.json")
    if os.path.exists(index):
        with open(index) as f:
            files = sorted(set(json.load(f)["weight_map"].values()))
    else:
        files = ["model.safetensors"]
    tensors = {}
    for name in files:
        tensors.update(read_safetensors(os.path.join(directory, name)))
    return tensors


def inverse_frequencies(cfg, dim):
    base = cfg.get("rope_theta", 10000.0)
    inv = 1.0 / (base ** (torch.arange(0, dim, 2, dtype=torch.int64).float() / dim))
    scaling = cfg.get("rope_scaling") or {}
    kind = scaling.get("rope_type", scaling.get("type", "default"))
    if kind == "linear":
        inv = inv / scaling["factor"]
    elif kind == "llama3":
        factor = scaling["factor"]
        low, high = scaling["low_freq_factor"], scaling["high_freq_factor"]
        old = scaling["original_max_position_embeddings"]
        low_wavelen, high_wavelen = old / low, old / high
        wavelen = 2 * math.pi / inv
        scaled = torch.where(wavelen > low_wavelen, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < high_wavelen) * ~(wavelen > low_wavelen)
        inv = torch.where(medium, smoothed, scaled)
    elif kind != "default":
        raise SystemExit("unsupported rope scaling " + kind)
    return inv


def rms_norm(x, weight, eps):
    return weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def rotate_half(x):
    half = x.shape[-1] // 2
    return torch.cat((-x[..., half:], x[..., :half]), dim=-1)


def forward(cfg, w, ids):
    qwen = cfg["model_type"] == "qwen2"
    heads = cfg["num_attention_heads"]
    kv_heads = cfg.get("num_key_value_heads", heads)
    dim = cfg.get("head_dim") or cfg["hidden_size"] // heads
    eps = cfg.get("rms_norm_eps", 1e-6)
    bias = qwen or cfg.get("attention_bias", False)
    t = len(ids)
    freqs = torch.outer(torch.arange(t).float(), inverse_frequencies(cfg, dim))
    emb = torch.cat((freqs, freqs), dim=-1)
    cos, sin = emb.cos(), emb.sin()
    mask = torch.full((t, t), float("-inf")).triu(1)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]

    def linear(h, prefix, with_bias):
        y = h @ w[prefix + ".weight"].T
        return y + w[prefix + ".bias"] if with_bias else y

    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        h = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = linear(h, p + "self_attn.q_proj", bias).view(t, heads, dim).transpose(0, 1)
        k = linear(h, p + "self_attn.k_proj", bias).view(t, kv_heads, dim).transpose(0, 1)
        v = linear(h, p + "self_attn.v_proj", bias).view(t, kv_heads, dim).transpose(0, 1)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = k.repeat_interleave(heads // kv_heads, dim=0)
        v = v.repeat_interleave(heads // kv_heads, dim=0)
        att = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(dim) + mask, dim=-1)
        y = (att @ v).transpose(0, 1).reshape(t, heads * dim)
        x = x + linear(y, p + "self_attn.o_proj", False)
        h = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        gated = torch.nn.functional.silu(linear(h, p + "mlp.gate_proj", False)) * linear(h, p + "mlp.up_proj", False)
        x = x + linear(gated, p + "mlp.down_proj", False)
    x = rms_norm(x, w["model.norm.weight"], eps)
    head = w["model.embed_tokens.weight"] if cfg.get("tie_word_embeddings", False) else w["lm_head.weight"]
    return x @ head.T


def main():
    directory, ids, out = sys.argv[1], [int(i) for i in sys.argv[2].split(",")], sys.argv[3]
    with open(os.path.join(directory, "config.json")) as f:
        cfg = json.load(f)
    with torch.no_grad():
        logits = forward(cfg, read_checkpoint(directory), ids)
    with open(out, "w") as f:
        json.dump(logits.tolist(), f)


if __name__ == "__main__":
    main()

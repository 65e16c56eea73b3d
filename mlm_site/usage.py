""""How to use" derivations of a model card: pure functions, no I/O.

Everything here turns untrusted catalog values into short, copyable snippets:
the command that verifies a ``file:checksum`` (a multihash), the framework's
load call for an ``mlm:artifact_type``, the import line of an ``mlm:entrypoint``
and the ``docker pull`` line of a container asset. A value that cannot be turned
into a safe snippet gives ``None``: the card then shows the raw value only.

Snippets are plain text (templates escape them); :func:`highlight` gives the
matching HTML, built from escaped tokens only.
"""

from __future__ import annotations

import html
import keyword
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from mlm_site import multihash

# --- snippets ----------------------------------------------------------------------


@dataclass(frozen=True)
class Snippet:
    """A piece of code to copy: ``language`` is ``python`` or ``shell``; ``html`` is
    the highlighted, escaped form of ``code``."""

    language: str
    code: str
    html: str
    note: str | None = None


def snippet(language: str, code: str, note: str | None = None) -> Snippet:
    return Snippet(language, code, highlight(code, language), note)


# --- highlighting ----------------------------------------------------------------------

_PY_TOKEN = re.compile(
    r"""(?P<comment>\#[^\n]*)
      |(?P<string>[rbfuRBFU]{0,2}(?:'''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\"|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"))
      |(?P<number>\b(?:0[xX][0-9a-fA-F_]+|\d[\d_]*\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)\b)
      |(?P<name>[A-Za-z_][A-Za-z0-9_]*)
      |(?P<other>[\s\S])""",
    re.VERBOSE,
)
_SH_TOKEN = re.compile(
    r"""(?P<comment>(?:^|(?<=\s))\#[^\n]*)
      |(?P<string>'[^'\n]*'|"(?:\\.|[^"\\\n])*")
      |(?P<name>[A-Za-z0-9_./:@+-]+)
      |(?P<other>[\s\S])""",
    re.VERBOSE,
)
_PY_BUILTINS = frozenset(
    {"print", "open", "len", "range", "int", "float", "str", "dict", "list", "tuple", "set", "min", "max",
     "abs", "sum", "round", "isinstance", "type", "super", "zip", "map", "filter", "enumerate", "bytes"}
)
_SH_COMMANDS = frozenset(
    {"curl", "wget", "docker", "echo", "sha256sum", "sha512sum", "sha384sum", "sha224sum", "sha1sum",
     "md5sum", "b2sum", "openssl", "pip", "python", "python3"}
)


def _span(cls: str, text: str) -> str:
    return f'<span class="hl-{cls}">{html.escape(text, quote=False)}</span>'


def highlight(code: str, language: str = "python") -> str:
    """Escaped HTML of ``code`` with keywords, strings, numbers and comments wrapped in
    ``<span class="hl-…">``. Only python-like and shell code is coloured; anything
    else is returned escaped. Never emits anything but spans and escaped text."""
    if not isinstance(code, str):
        return ""
    lang = language.lower()
    if lang.startswith("py"):
        pattern, py = _PY_TOKEN, True
    elif lang in ("shell", "sh", "bash", "console"):
        pattern, py = _SH_TOKEN, False
    else:
        return html.escape(code, quote=False)
    out: list[str] = []
    previous = ""
    at_line_start = True
    for m in pattern.finditer(code):
        kind = m.lastgroup
        text = m.group()
        if kind == "comment":
            out.append(_span("c", text))
        elif kind == "string":
            out.append(_span("s", text))
        elif kind == "number":
            out.append(_span("n", text))
        elif kind == "name":
            if py and keyword.iskeyword(text):
                out.append(_span("k", text))
            elif py and previous in ("def", "class"):
                out.append(_span("f", text))
            elif py and text in _PY_BUILTINS:
                out.append(_span("b", text))
            elif not py and at_line_start and text in _SH_COMMANDS:
                out.append(_span("k", text))
            elif not py and text.startswith("-"):
                out.append(_span("n", text))
            else:
                out.append(html.escape(text, quote=False))
        else:
            out.append(html.escape(text, quote=False))
        if kind == "name":
            previous = text
        if kind != "other" or not text.isspace():
            at_line_start = False
        if text == "\n" or (kind == "other" and text == "|"):
            at_line_start = True
    return "".join(out)


# --- file names and URLs -------------------------------------------------------------------

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,120}$")
_SHELL_SAFE_URL = re.compile(r"^https?://[A-Za-z0-9._~:/?#\[\]@!$&()*+,;=%-]+$")


def file_name(href: object, default: str = "model.bin") -> str:
    """A safe local file name for a downloaded asset: the last path segment of its href
    when it is made of ``[A-Za-z0-9._+-]``, else ``default``."""
    if not isinstance(href, str):
        return default
    try:
        path = urlsplit(href.strip()).path
    except ValueError:
        return default
    name = posixpath.basename(unquote(path))
    return name if _SAFE_NAME.match(name) and name not in (".", "..") else default


def download_command(url: str | None, name: str) -> str | None:
    """``curl -L -o NAME 'URL'`` for an absolute http(s) URL safe inside single quotes."""
    if not url or not _SHELL_SAFE_URL.match(url) or len(url) > 2000:
        return None
    return f"curl -L -o {name} '{url}'"


# --- checksums (multihash) -------------------------------------------------------------------


@dataclass(frozen=True)
class Checksum:
    """A decoded ``file:checksum`` multihash."""

    multihash: str
    algorithm: str | None
    digest: str | None
    command: str | None
    valid: bool


#: multihash function name -> (display name, shell command template: {hex}, {file})
_COMMANDS: dict[str, tuple[str, str]] = {
    "sha1": ("SHA-1", 'echo "{hex}  {file}" | sha1sum --check'),
    "sha2-256": ("SHA2-256", 'echo "{hex}  {file}" | sha256sum --check'),
    "sha2-512": ("SHA2-512", 'echo "{hex}  {file}" | sha512sum --check'),
    "sha2-384": ("SHA2-384", 'echo "{hex}  {file}" | sha384sum --check'),
    "sha2-224": ("SHA2-224", 'echo "{hex}  {file}" | sha224sum --check'),
    "sha3-512": ("SHA3-512", "openssl dgst -sha3-512 {file}  # expect {hex}"),
    "sha3-384": ("SHA3-384", "openssl dgst -sha3-384 {file}  # expect {hex}"),
    "sha3-256": ("SHA3-256", "openssl dgst -sha3-256 {file}  # expect {hex}"),
    "sha3-224": ("SHA3-224", "openssl dgst -sha3-224 {file}  # expect {hex}"),
    "md5": ("MD5", 'echo "{hex}  {file}" | md5sum --check'),
}


def _hash_info(code: int) -> tuple[str, int, str] | None:
    """(display name, digest size, command template) of a fixed-size hash function code."""
    name, size = multihash.CODES.get(code, ("", None))
    if size is None:
        return None
    if name in _COMMANDS:
        return (_COMMANDS[name][0], size, _COMMANDS[name][1])
    if name.startswith("blake2b-"):
        bits = size * 8
        cmd = 'echo "{hex}  {file}" | b2sum --check' if bits == 512 else f'echo "{{hex}}  {{file}}" | b2sum -l {bits} --check'
        return (f"BLAKE2b-{bits}", size, cmd)
    if name.startswith("blake2s-"):
        return (f"BLAKE2s-{size * 8}", size, "")
    return None


def decode_checksum(value: object, file: str = "model.bin") -> Checksum | None:
    """Decode a hex multihash (``1220`` + 64 hex digits = SHA2-256, ``1340`` SHA2-512, ``1114``
    SHA-1, ``b220``/``a0e40220`` BLAKE2b-256, ...) into its algorithm, the expected hex digest and
    the shell command that verifies a downloaded ``file``. Unknown or malformed values keep
    only the raw text (``valid`` False)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if len(text) > 300 or not multihash.HEX.match(text) or len(text) % 2:
        return Checksum(text, None, None, None, False)
    data = bytes.fromhex(text)
    candidates: list[tuple[int, int]] = []
    head = multihash.varint(data, 0)
    if head is not None:
        candidates.append(head)
    if len(data) >= 2:  # the code written as two raw bytes (b220), seen in the wild
        candidates.append(((data[0] << 8) | data[1], 2))
    for code, pos in candidates:
        info = _hash_info(code)
        length = multihash.varint(data, pos)
        if info is None or length is None:
            continue
        size, start = length
        digest = data[start:]
        if size != info[1] or len(digest) != size:
            continue
        hexdigest = digest.hex()
        command = info[2].format(hex=hexdigest, file=file) if info[2] else None
        return Checksum(text.lower(), info[0], hexdigest, command, True)
    return Checksum(text, None, None, None, False)


# --- load calls ---------------------------------------------------------------------------------

_PICKLE_NOTE = "Pickle-based format: only load files from a source you trust."


def _safetensors(framework: str, method: str, name: str) -> Snippet:
    fw = framework if re.fullmatch(r"[a-z][a-z0-9_]{0,20}", framework) else "torch"
    if fw == "flax":
        code = f'from safetensors.flax import load_file\n\nparams = load_file("{name}")  # dict of jax arrays'
    elif fw in ("tensorflow", "tf"):
        code = f'from safetensors.tensorflow import load_file\n\nweights = load_file("{name}")  # dict of tf.Tensor'
    elif fw == "numpy":
        code = f'from safetensors.numpy import load_file\n\nweights = load_file("{name}")  # dict of numpy arrays'
    elif fw == "torch":
        code = (f'from safetensors.torch import load_file\n\nstate_dict = load_file("{name}", device="cpu")\n'
                "model.load_state_dict(state_dict)  # model: the network built from the source code")
    else:
        code = f'from safetensors.{fw} import load_file\n\nweights = load_file("{name}")'
    return snippet("python", code)


def load_snippet(artifact_type: str | None, framework: str | None, name: str, weights_only: bool = False) -> Snippet | None:
    """The Python call that loads an artifact saved as ``artifact_type`` (the recommended values
    of the MLM best practices and common others), falling back on ``framework``."""
    art = (artifact_type or "").strip()
    low = art.lower()
    fw = (framework or "").strip().lower()
    if low == "torch.save" or (not low and fw in ("pytorch", "torch")):
        if weights_only:
            code = ('import torch\n\n'
                    f'state_dict = torch.load("{name}", map_location="cpu", weights_only=True)\n'
                    "model.load_state_dict(state_dict)  # model: the network built from the source code")
        else:
            code = f'import torch\n\nmodel = torch.load("{name}", map_location="cpu", weights_only=False)\nmodel.eval()'
        return snippet("python", code, _PICKLE_NOTE if not weights_only else None)
    if low in ("torch.jit.save", "torch.jit.script", "torch.jit.trace"):
        return snippet("python", f'import torch\n\nmodel = torch.jit.load("{name}", map_location="cpu")\nmodel.eval()')
    if low in ("torch.export.save", "torch.export"):
        return snippet("python", f'import torch\n\nprogram = torch.export.load("{name}")\nmodel = program.module()')
    if low in ("torch._inductor.aoti_compile_and_package", "torch._inductor.aoti_package", "aoti"):
        return snippet("python", f'import torch\n\nmodel = torch._inductor.aoti_load_package("{name}")')
    if low.startswith("safetensors."):
        parts = low.split(".")
        return _safetensors(parts[1] if len(parts) > 1 else "torch", parts[2] if len(parts) > 2 else "", name)
    if low in ("tf.keras.model.save", "keras.model.save", "keras.saving.save_model", "tf.keras.models.save_model") or (
        not low and fw == "keras"
    ):
        return snippet("python", f'import keras\n\nmodel = keras.saving.load_model("{name}")')
    if low in ("tf.keras.model.save_weights", "keras.model.save_weights"):
        return snippet("python", f'model.load_weights("{name}")  # model: the Keras network built from the source code')
    if low in ("tf.keras.model.export", "tf.saved_model.save", "keras.model.export") or (
        not low and fw in ("tensorflow", "tf")
    ):
        return snippet("python", f'import tensorflow as tf\n\nmodel = tf.saved_model.load("{name}")\ninfer = model.signatures["serving_default"]')
    if low in ("tf.lite", "tflite", "tf.lite.tfliteconverter"):
        return snippet("python", f'import tensorflow as tf\n\ninterpreter = tf.lite.Interpreter(model_path="{name}")\ninterpreter.allocate_tensors()')
    if low in ("onnx", "onnx.save", "torch.onnx.export", "tf2onnx") or (not low and fw in ("onnx", "onnxruntime")):
        return snippet("python", f'import onnxruntime as ort\n\nsession = ort.InferenceSession("{name}", providers=["CPUExecutionProvider"])\n'
                       "print([i.name for i in session.get_inputs()])")
    if low in ("joblib.dump", "joblib") or (not low and fw in ("scikit-learn", "sklearn")):
        return snippet("python", f'import joblib\n\nmodel = joblib.load("{name}")\nprediction = model.predict(X)  # X: (n_samples, n_features)', _PICKLE_NOTE)
    if low in ("pickle.dump", "pickle", "cloudpickle.dump"):
        return snippet("python", f'import pickle\n\nwith open("{name}", "rb") as f:\n    model = pickle.load(f)', _PICKLE_NOTE)
    if low in ("skops.io.dump", "skops"):
        return snippet("python", f'import skops.io as sio\n\nmodel = sio.load("{name}", trusted=sio.get_untrusted_types(file="{name}"))')
    if low in ("xgboost.booster.save_model", "xgboost"):
        return snippet("python", f'import xgboost as xgb\n\nbooster = xgb.Booster()\nbooster.load_model("{name}")')
    if low in ("lightgbm.booster.save_model", "lightgbm"):
        return snippet("python", f'import lightgbm as lgb\n\nbooster = lgb.Booster(model_file="{name}")')
    if low in ("flax.serialization.to_bytes", "flax.serialization") or (not low and fw in ("flax", "jax")):
        return snippet("python", "from flax import serialization\n\n"
                       f'with open("{name}", "rb") as f:\n    params = serialization.from_bytes(target, f.read())  # target: the initialised parameters')
    if low.startswith("orbax"):
        return snippet("python", f'import orbax.checkpoint as ocp\n\nparams = ocp.StandardCheckpointer().restore("{name}")')
    if low in ("paddle.save", "paddle.jit.save"):
        return snippet("python", f'import paddle\n\nstate_dict = paddle.load("{name}")')
    return None


# --- entrypoints and containers ----------------------------------------------------------------------

_IDENT = r"[A-Za-z_][A-Za-z0-9_]*"
_MODULE = re.compile(rf"^{_IDENT}(?:\.{_IDENT})*$")


def import_line(entrypoint: object) -> str | None:
    """``"pkg.module:func"`` -> ``from pkg.module import func`` (``Class.method`` imports ``Class``);
    ``"pkg.module.func"`` -> ``from pkg.module import func``; anything that is not made of Python
    identifiers (a script path, a shell command) -> None."""
    if not isinstance(entrypoint, str):
        return None
    text = entrypoint.strip()
    if len(text) > 200:
        return None
    module, sep, attr = text.partition(":")
    if sep:
        if not _MODULE.match(module) or not _MODULE.match(attr):
            return None
        if any(keyword.iskeyword(p) for p in module.split(".") + attr.split(".")):
            return None
        return f"from {module} import {attr.split('.')[0]}"
    if not _MODULE.match(text) or any(keyword.iskeyword(p) for p in text.split(".")) or text.endswith((".py", ".sh")):
        return None
    if "." not in text:
        return f"import {text}"
    head, _, tail = text.rpartition(".")
    return f"from {head} import {tail}"


def call_name(entrypoint: object) -> str | None:
    """The name to call after :func:`import_line`: ``func`` or ``Class.method``."""
    if import_line(entrypoint) is None:
        return None
    text = str(entrypoint).strip()
    if ":" in text:
        return text.partition(":")[2]
    return text.rpartition(".")[2] if "." in text else None


_IMAGE = re.compile(
    r"^(?:[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?/)?"  # registry host[:port]/
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"  # path
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"  # :tag
    r"(?:@sha256:[a-f0-9]{64})?$"  # @digest
)


def image_ref(href: object) -> str | None:
    """The image reference of a container href (``docker://`` or ``oci://`` stripped) when it is a
    valid, shell-safe reference (only ``[a-z0-9./:_@-]`` and an upper-case tag), else None."""
    if not isinstance(href, str):
        return None
    text = href.strip()
    for prefix in ("docker://", "oci://"):
        if text.lower().startswith(prefix):
            text = text[len(prefix):]
            break
    else:
        if "://" in text:
            return None
    if not text or len(text) > 255 or not _IMAGE.match(text):
        return None
    return text


def docker_pull(href: object) -> str | None:
    ref = image_ref(href)
    return f"docker pull {ref}" if ref else None


__all__ = [
    "Checksum", "Snippet", "call_name", "decode_checksum", "docker_pull", "download_command", "file_name",
    "highlight", "image_ref", "import_line", "load_snippet", "snippet",
]

"""The tracer against hand-derived arithmetic (written out), and against torch's FlopCounterMode."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from analysis.handlers import TraceError
from analysis.specs import parse_shape, trace_spec
from analysis.trace import param_kind, trace_module

# one layer on one input: (layer, input [C, *spatial], output, weights, biases, MACs, RF, jump)
SINGLE_LAYERS = [
    ("conv 7x7", lambda: nn.Conv2d(3, 32, 7), [3, 128, 128], [32, 122, 122],
     32 * 3 * 7 * 7, 32, 122 * 122 * 32 * 3 * 7 * 7, [7, 7], [1, 1]),
    ("conv stride 2", lambda: nn.Conv2d(32, 64, 5, stride=2), [32, 122, 122], [64, 59, 59],
     64 * 32 * 5 * 5, 64, 59 * 59 * 64 * 32 * 5 * 5, [5, 5], [2, 2]),
    ("conv same odd", lambda: nn.Conv2d(8, 16, 3, padding="same"), [8, 10, 10], [16, 10, 10],
     16 * 8 * 3 * 3, 16, 10 * 10 * 16 * 8 * 3 * 3, [3, 3], [1, 1]),
    ("conv same even", lambda: nn.Conv2d(8, 16, 4, padding="same"), [8, 10, 10], [16, 10, 10],
     16 * 8 * 4 * 4, 16, 10 * 10 * 16 * 8 * 4 * 4, [4, 4], [1, 1]),
    ("conv dilated", lambda: nn.Conv2d(64, 128, 3, dilation=2), [64, 29, 29], [128, 25, 25],
     128 * 64 * 3 * 3, 128, 25 * 25 * 128 * 64 * 3 * 3, [5, 5], [1, 1]),
    ("conv groups no bias", lambda: nn.Conv2d(8, 16, 3, groups=4, bias=False), [8, 10, 10], [16, 8, 8],
     16 * (8 // 4) * 3 * 3, 0, 8 * 8 * 16 * (8 // 4) * 3 * 3, [3, 3], [1, 1]),
    ("conv depthwise", lambda: nn.Conv2d(8, 8, 3, padding=1, groups=8), [8, 10, 10], [8, 10, 10],
     8 * 1 * 3 * 3, 8, 10 * 10 * 8 * 1 * 3 * 3, [3, 3], [1, 1]),
    ("conv non-square", lambda: nn.Conv2d(3, 8, (3, 5), stride=(1, 2)), [3, 10, 20], [8, 8, 8],
     8 * 3 * 3 * 5, 8, 8 * 8 * 8 * 3 * 3 * 5, [3, 5], [1, 2]),
    ("conv1d", lambda: nn.Conv1d(4, 8, 5, stride=2), [4, 100], [8, 48],
     8 * 4 * 5, 8, 48 * 8 * 4 * 5, [5], [2]),
    ("conv transpose", lambda: nn.ConvTranspose2d(8, 4, 3, stride=2), [8, 5, 5], [4, 11, 11],
     8 * 4 * 3 * 3, 4, 5 * 5 * 8 * 4 * 3 * 3, [2, 2], [0.5, 0.5]),
    ("max pool", lambda: nn.MaxPool2d(2, 2), [4, 9, 9], [4, 4, 4], 0, 0, 0, [2, 2], [2, 2]),
    ("max pool pad ceil", lambda: nn.MaxPool2d(3, 2, padding=1, ceil_mode=True), [4, 10, 10], [4, 6, 6],
     0, 0, 0, [3, 3], [2, 2]),
    ("avg pool", lambda: nn.AvgPool2d(3, stride=1), [4, 9, 9], [4, 7, 7], 0, 0, 0, [3, 3], [1, 1]),
    ("max pool 1d", lambda: nn.MaxPool1d(3), [4, 9], [4, 3], 0, 0, 0, [3], [3]),
    ("adaptive global", lambda: nn.AdaptiveAvgPool2d(1), [4, 7, 7], [4, 1, 1], 0, 0, 0, [7, 7], [7, 7]),
    ("adaptive 2x2", lambda: nn.AdaptiveMaxPool2d((2, 2)), [4, 8, 8], [4, 2, 2], 0, 0, 0, [4, 4], [4, 4]),
    ("batch norm", lambda: nn.BatchNorm2d(16), [16, 5, 5], [16, 5, 5], 16, 16, 0, [1, 1], [1, 1]),
    ("group norm", lambda: nn.GroupNorm(4, 16), [16, 5, 5], [16, 5, 5], 16, 16, 0, [1, 1], [1, 1]),
    ("layer norm", lambda: nn.LayerNorm(10), [3, 10], [3, 10], 10, 10, 0, [1], [1]),
    ("relu", lambda: nn.ReLU(), [4, 5, 5], [4, 5, 5], 0, 0, 0, [1, 1], [1, 1]),
    ("dropout", lambda: nn.Dropout(0.5), [4, 5, 5], [4, 5, 5], 0, 0, 0, [1, 1], [1, 1]),
    ("flatten", lambda: nn.Flatten(), [4, 5, 5], [4 * 5 * 5], 0, 0, 0, None, None),
    ("linear", lambda: nn.Linear(100, 10), [100], [10], 100 * 10, 10, 100 * 10, None, None),
    ("linear on tokens", lambda: nn.Linear(16, 32), [5, 16], [5, 32], 16 * 32, 32, 5 * 16 * 32, None, None),
    ("upsample", lambda: nn.Upsample(scale_factor=2), [4, 5, 5], [4, 10, 10], 0, 0, 0, [1, 1], [0.5, 0.5]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "shape", "out", "weights", "biases", "macs", "rf", "jump"),
    [case[1:] for case in SINGLE_LAYERS],
    ids=[case[0] for case in SINGLE_LAYERS],
)
def test_single_layer(make, shape, out, weights, biases, macs, rf, jump) -> None:
    with torch.device("meta"):
        layer = make()
    (row,) = trace_module(layer, shape).layers
    assert row.output_shape == out
    assert (row.weights, row.biases, row.macs, row.flops) == (weights, biases, macs, 2 * macs)
    assert (row.receptive_field, row.jump) == (rf, jump)


def test_seed_sheet_question_1_pasted_verbatim() -> None:
    result = trace_spec("examples/sheet002_q1.txt", "3x128x128")
    table = {r.label: r for r in result.layers}
    assert list(table) == [f"Layer{k}" for k in range(1, 9)] + ["flatten"] + [
        f"Layer{k}" for k in range(9, 13)
    ]
    expected = {  # label: (output shape, weights, biases, MACs, RF side)
        "Layer1": ([32, 122, 122], 32 * 3 * 7 * 7, 32, 122 * 122 * 32 * 3 * 7 * 7, 7),
        "Layer2": ([64, 59, 59], 64 * 32 * 5 * 5, 64, 59 * 59 * 64 * 32 * 5 * 5, 11),
        "Layer3": ([64, 29, 29], 0, 0, 0, 13),
        "Layer4": ([128, 25, 25], 128 * 64 * 3 * 3, 128, 25 * 25 * 128 * 64 * 3 * 3, 29),
        "Layer5": ([128, 23, 23], 128 * 128 * 3 * 3, 128, 23 * 23 * 128 * 128 * 3 * 3, 37),
        "Layer6": ([128, 11, 11], 0, 0, 0, 41),
        "Layer7": ([256, 9, 9], 256 * 128 * 3 * 3, 256, 9 * 9 * 256 * 128 * 3 * 3, 57),
        "Layer8": ([256, 4, 4], 0, 0, 0, 65),
        "flatten": ([4096], 0, 0, 0, None),
        "Layer9": ([1024], 4096 * 1024, 1024, 4096 * 1024, None),
        "Layer10": ([1024], 1024 * 1024, 1024, 1024 * 1024, None),
        "Layer11": ([1024], 0, 0, 0, None),
        "Layer12": ([10], 1024 * 10, 10, 1024 * 10, None),
    }
    for label, (shape, weights, biases, macs, rf) in expected.items():
        row = table[label]
        assert (row.output_shape, row.weights, row.biases, row.macs) == (shape, weights, biases, macs), label
        assert row.receptive_field == (None if rf is None else [rf, rf]), label
    assert table["Layer8"].jump == [16, 16]
    assert result.totals["weights"] == sum(e[1] for e in expected.values())
    assert result.totals["biases"] == sum(e[2] for e in expected.values())
    assert result.totals["flops"] == 2 * sum(e[3] for e in expected.values())
    assert result.unsupported == {}


class Inception(nn.Module):
    """GoogLeNet's inception (3a) module, as a TA would write it."""

    def __init__(self) -> None:
        super().__init__()
        self.branch1 = nn.Conv2d(192, 64, 1)
        self.branch2 = nn.Sequential(nn.Conv2d(192, 96, 1), nn.ReLU(), nn.Conv2d(96, 128, 3, padding=1))
        self.branch3 = nn.Sequential(nn.Conv2d(192, 16, 1), nn.ReLU(), nn.Conv2d(16, 32, 5, padding=2))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, 1, padding=1), nn.Conv2d(192, 32, 1))
        self.head = nn.Conv2d(256, 8, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1))


def test_inception_module_totals_and_rf_over_branches() -> None:
    result = trace_module(Inception(), [192, 28, 28])
    pixels = 28 * 28
    macs = pixels * (192 * 64 + 192 * 96 + 96 * 128 * 9 + 192 * 16 + 16 * 32 * 25 + 192 * 32 + 256 * 8)
    weights = 192 * 64 + 192 * 96 + 96 * 128 * 9 + 192 * 16 + 16 * 32 * 25 + 192 * 32 + 256 * 8
    biases = 64 + 96 + 128 + 16 + 32 + 32 + 8
    assert result.totals == {
        "weights": weights,
        "biases": biases,
        "params": weights + biases,
        "macs": macs,
        "flops": 2 * macs,
    }
    head = result.row("head")
    assert head.output_shape == [8, 28, 28]
    assert head.receptive_field == [5, 5]  # the largest path: the 5x5 branch
    assert sum(r.params for r in result.layers) == result.totals["params"]


class Residual(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(8, 8, 3, padding=1)
        self.conv2 = nn.Conv2d(8, 8, 3, padding=1)
        self.attn = nn.MultiheadAttention(8, num_heads=2, batch_first=True)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, 8))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.conv2(torch.relu(self.conv1(x))) + x
        tokens = torch.cat([self.cls_token.expand(1, -1, -1), y.flatten(2).transpose(1, 2)], 1)
        return self.attn(tokens, tokens, tokens)[0]


def test_residual_attention_and_parameters_owned_by_containers() -> None:
    result = trace_module(Residual(), [8, 6, 6])
    conv2 = result.row("conv2")
    assert conv2.receptive_field == [5, 5]
    tokens = 1 + 6 * 6
    attn = result.row("attn")
    # in-projection (q, k, v), Q K^T and A V over 2 heads of 4, out-projection
    assert attn.macs == tokens * 8 * 3 * 8 + 2 * tokens * tokens * 4 * 2 + tokens * 8 * 8
    assert attn.weights == 3 * 8 * 8 + 8 * 8  # in_proj_weight counts as a weight
    assert attn.receptive_field is None
    own = result.row("Residual")
    assert own.params == 8  # the class token belongs to the container
    assert (
        sum(r.params for r in result.layers)
        == result.totals["params"]
        == sum(p.numel() for p in Residual().parameters())
    )


@pytest.mark.parametrize("model_and_shape", ["inception", "residual", "sheet"])
def test_macs_agree_with_torch_flop_counter(model_and_shape: str) -> None:
    """An independent count: torch's FlopCounterMode reports 2 x MACs for conv, mm, bmm."""
    if model_and_shape == "sheet":
        from analysis.sheet import build_sheet

        sheet = build_sheet(open("examples/sheet002_q1.txt", encoding="utf-8").read(), [3, 128, 128])
        model, shape = sheet.model, [3, 128, 128]
    else:
        model, shape = (
            (Inception(), [192, 28, 28]) if model_and_shape == "inception" else (Residual(), [8, 6, 6])
        )
    ours = trace_module(model, shape).totals["macs"]
    with FlopCounterMode(display=False) as counter:
        model.to("meta").eval()(torch.empty(1, *shape, device="meta"))
    assert counter.get_total_flops() == 2 * ours


class UsesFFT(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.fft.fft(x).real


def test_unknown_ops_are_reported_not_counted_as_zero_in_silence() -> None:
    result = trace_module(UsesFFT(), [4, 8])
    assert result.unsupported, "an FFT has no handler: it must be reported"


def test_depth_folds_rows_into_blocks() -> None:
    result = trace_module(Inception(), [192, 28, 28], depth=1)
    assert [r.label for r in result.layers] == ["branch1", "branch2", "branch3", "branch4", "head"]
    branch2 = result.layers[1]
    assert branch2.weights == 192 * 96 + 96 * 128 * 9
    assert branch2.output_shape == [128, 28, 28]


def test_user_module_file(tmp_path) -> None:
    source = tmp_path / "mynet.py"
    source.write_text(
        "import torch.nn as nn\n"
        "def make():\n"
        "    return nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 6 * 6, 2))\n",
        encoding="utf-8",
    )
    result = trace_spec(f"{source}:make", "3x8x8")
    assert result.totals["params"] == 8 * 3 * 3 * 3 + 8 + 8 * 6 * 6 * 2 + 2


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        ("3x128x128", [3, 128, 128]),
        ("3×32×32", [3, 32, 32]),
        ("1*28*28", [1, 28, 28]),
        ("(16, 100)", [16, 100]),
    ],
)
def test_parse_shape(text: str, shape: list[int]) -> None:
    assert parse_shape(text) == shape


@pytest.mark.parametrize("text", ["", "3xax3", "0x3x3", "3x3x3x3x3", "-3x5"])
def test_parse_shape_rejects(text: str) -> None:
    with pytest.raises(TraceError):
        parse_shape(text)


def test_model_that_does_not_fit_its_input_is_a_clean_error() -> None:
    with pytest.raises(TraceError, match="does not run"):
        trace_module(nn.Sequential(nn.Conv2d(3, 8, 3), nn.Linear(5, 2)), [3, 8, 8])


class Tokens(nn.Module):
    """Token ids -> embeddings with a class token and a position embedding (the 'others' of a transformer)."""

    def __init__(self) -> None:
        super().__init__()
        self.embed = nn.Embedding(100, 16)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, 16))
        self.pos_embedding = nn.Parameter(torch.zeros(1, 6, 16))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        tokens = self.embed(x.long())
        return torch.cat([self.cls_token.expand(x.shape[0], -1, -1), tokens], 1) + self.pos_embedding


class CrossAttention(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(8, 2, add_bias_kv=True, kdim=4, vdim=4, batch_first=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        memory = x[..., :4]
        return self.attn(x, memory, memory)[0]


# module, input, (weights, biases, others) derived by hand
PARAMETER_KINDS = [
    ("lstm", lambda: nn.LSTM(10, 20), [5, 10], (4 * 20 * 10 + 4 * 20 * 20, 2 * 4 * 20, 0)),
    ("lstm proj", lambda: nn.LSTM(10, 20, proj_size=5), [5, 10],
     (4 * 20 * 10 + 4 * 20 * 5 + 5 * 20, 2 * 4 * 20, 0)),
    ("gru 2 layers both ways", lambda: nn.GRU(10, 20, num_layers=2, bidirectional=True), [5, 10],
     (2 * (3 * 20 * 10 + 3 * 20 * 20) + 2 * (3 * 20 * 40 + 3 * 20 * 20), 2 * 2 * 2 * 3 * 20, 0)),
    ("rnn no bias", lambda: nn.RNN(10, 20, bias=False), [5, 10], (20 * 10 + 20 * 20, 0, 0)),
    ("attention kdim/vdim bias_kv", CrossAttention, [5, 8],
     (8 * 8 + 8 * 4 + 8 * 4 + 8 * 8, 3 * 8 + 8 + 8 + 8, 0)),  # q/k/v/out weights; in_proj, bias_k, bias_v, out
    ("embedding + tokens", Tokens, [5], (100 * 16, 0, 16 + 6 * 16)),
    ("layer norm", lambda: nn.LayerNorm(10), [3, 10], (10, 10, 0)),
    ("batch norm", lambda: nn.BatchNorm2d(16), [16, 5, 5], (16, 16, 0)),
    ("prelu", lambda: nn.PReLU(4), [4, 5, 5], (4, 0, 0)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("make", "shape", "kinds"), [c[1:] for c in PARAMETER_KINDS], ids=[c[0] for c in PARAMETER_KINDS]
)
def test_weights_biases_and_others_add_up_to_params(
    make, shape: list[int], kinds: tuple[int, int, int]
) -> None:
    with torch.device("meta"):
        model = make()
    result = trace_module(model, shape)
    weights, biases, others = kinds
    assert (result.totals["weights"], result.totals["biases"]) == (weights, biases)
    assert result.totals["params"] == weights + biases + others == sum(p.numel() for p in model.parameters())
    rows = result.layers
    assert (sum(r.weights for r in rows), sum(r.biases for r in rows), sum(r.others for r in rows)) == kinds


@pytest.mark.parametrize(
    ("name", "kind"),
    [("weight", "weight"), ("conv.weight", "weight"), ("rnn.weight_ih_l0", "weight"), ("in_proj_weight", "weight"),
     ("rnn.weight_hr_l0_reverse", "weight"), ("bias", "bias"), ("bias_hh_l1", "bias"), ("attn.bias_k", "bias"),
     ("in_proj_bias", "bias"), ("class_token", "other"), ("pos_embedding", "other"),
     ("relative_position_bias_table", "other"), ("weightless", "other")],
)  # fmt: skip
def test_param_kind(name: str, kind: str) -> None:
    assert param_kind(name) == kind

"""The model zoo: architectures the seed sheets name, in plain torch.nn, laid out like the reference code.

    MODELS: dict[str, ZooEntry]          # name -> factory, default input, options, published figures
    build(name, **options) -> nn.Module  # e.g. build("mobilenet_v2", width_mult=0.5, num_classes=10)
    default_input(name) -> tuple         # (C, H, W) without the batch dimension

Module names and block boundaries are torchvision's (Keras's for Xception), so `layer2.0`, `features.3`,
`features.denseblock1.denselayer1`, `inception3a`, `encoder.layers.encoder_layer_0` name the same block here as
in the reference implementations. Build on the meta device to count without allocating:
`with torch.device("meta"): model = build("resnet50")`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from torch import nn

from analysis.zoo.densenet import _DenseLayer, densenet121
from analysis.zoo.efficientnet import MBConv, efficientnet_b0
from analysis.zoo.googlenet import Inception, googlenet
from analysis.zoo.mobilenet import InvertedResidual, mobilenet_v2
from analysis.zoo.resnet import Bottleneck, resnet50, resnet101
from analysis.zoo.swin import SwinTransformerBlock, swin_t
from analysis.zoo.vit import EncoderBlock, vit_b_16
from analysis.zoo.xception import MiddleFlowBlock, StridedBlock, xception


@dataclass(frozen=True)
class ZooEntry:
    name: str
    factory: Callable[..., nn.Module]
    title: str  # how papers and sheets name it
    paper: str
    input_shape: tuple[int, int, int]  # (C, H, W) of the published configuration
    options: dict[str, str]  # option -> what it changes (the factory's keyword arguments)
    block_types: tuple[type[nn.Module], ...]  # the repeated unit questions ask about
    block_label: str  # what the repeated unit is called
    stages: tuple[str, ...]  # module names whose outputs are the stages
    classifier: str  # module name of the classifier
    published_params: int  # torchvision's weights meta (Keras's trainable count for xception)
    published_gmacs: float | None  # torchvision's `_ops` at 224x224, None where none is published
    input_option: str | None = None  # the factory option that must equal the input side (ViT)
    notes: tuple[str, ...] = field(default_factory=tuple)


MODELS: dict[str, ZooEntry] = {
    entry.name: entry
    for entry in (
        ZooEntry(
            "resnet50",
            resnet50,
            "ResNet-50",
            "He et al., Deep Residual Learning for Image Recognition, CVPR 2016",
            (3, 224, 224),
            {
                "num_classes": "classifier outputs",
                "width_per_group": "bottleneck width (128: Wide ResNet-50-2)",
            },
            (Bottleneck,),
            "bottleneck",
            ("layer1", "layer2", "layer3", "layer4"),
            "fc",
            25_557_032,
            4.089,
        ),
        ZooEntry(
            "resnet101",
            resnet101,
            "ResNet-101",
            "He et al., Deep Residual Learning for Image Recognition, CVPR 2016",
            (3, 224, 224),
            {
                "num_classes": "classifier outputs",
                "width_per_group": "bottleneck width (128: Wide ResNet-101-2)",
            },
            (Bottleneck,),
            "bottleneck",
            ("layer1", "layer2", "layer3", "layer4"),
            "fc",
            44_549_160,
            7.801,
        ),
        ZooEntry(
            "mobilenet_v2",
            mobilenet_v2,
            "MobileNetV2",
            "Sandler et al., MobileNetV2: Inverted Residuals and Linear Bottlenecks, CVPR 2018",
            (3, 224, 224),
            {
                "num_classes": "classifier outputs",
                "width_mult": "width multiplier alpha (channels rounded to 8)",
            },
            (InvertedResidual,),
            "inverted residual",
            (
                "features.1",
                "features.3",
                "features.6",
                "features.10",
                "features.13",
                "features.16",
                "features.17",
            ),
            "classifier",
            3_504_872,
            0.301,
        ),
        ZooEntry(
            "efficientnet_b0",
            efficientnet_b0,
            "EfficientNet-B0",
            "Tan and Le, EfficientNet: Rethinking Model Scaling for CNNs, ICML 2019",
            (3, 224, 224),
            {
                "num_classes": "classifier outputs",
                "width_mult": "width coefficient (channels rounded to 8)",
                "depth_mult": "depth coefficient (repeats rounded up)",
            },
            (MBConv,),
            "MBConv block",
            tuple(f"features.{i}" for i in range(1, 8)),
            "classifier",
            5_288_548,
            0.386,
        ),
        ZooEntry(
            "xception",
            xception,
            "Xception",
            "Chollet, Xception: Deep Learning with Depthwise Separable Convolutions, CVPR 2017",
            (3, 299, 299),
            {"num_classes": "classifier outputs"},
            (StridedBlock, MiddleFlowBlock),
            "Xception block",
            ("block4", "block12", "block13", "block14"),
            "predictions",
            22_855_952,
            None,
            notes=("Keras layout; trainable parameters (BN moving statistics are buffers)",),
        ),
        ZooEntry(
            "vit_b_16",
            vit_b_16,
            "ViT-B/16",
            "Dosovitskiy et al., An Image is Worth 16x16 Words, ICLR 2021",
            (3, 224, 224),
            {
                "num_classes": "classifier outputs",
                "image_size": "input side (must equal the traced input)",
                "patch_size": "patch side P (image_size must be a multiple)",
            },
            (EncoderBlock,),
            "encoder block",
            tuple(f"encoder.layers.encoder_layer_{i}" for i in (2, 5, 8, 11)),
            "heads",
            86_567_656,
            17.564,
            input_option="image_size",
        ),
        ZooEntry(
            "swin_t",
            swin_t,
            "Swin-T",
            "Liu et al., Swin Transformer: Hierarchical Vision Transformer using Shifted Windows, ICCV 2021",
            (3, 224, 224),
            {
                "num_classes": "classifier outputs",
                "window_size": "attention window side M",
                "embed_dim": "channels C of stage 1",
            },
            (SwinTransformerBlock,),
            "Swin block",
            ("features.1", "features.3", "features.5", "features.7"),
            "head",
            28_288_354,
            4.491,
        ),
        ZooEntry(
            "densenet121",
            densenet121,
            "DenseNet-121",
            "Huang et al., Densely Connected Convolutional Networks, CVPR 2017",
            (3, 224, 224),
            {
                "num_classes": "classifier outputs",
                "growth_rate": "growth rate k",
                "bn_size": "bottleneck factor (1x1 conv to bn_size * k)",
                "num_init_features": "channels of the stem",
            },
            (_DenseLayer,),
            "dense layer",
            tuple(f"features.{name}{i}" for i in (1, 2, 3) for name in ("denseblock", "transition"))
            + ("features.denseblock4",),
            "classifier",
            7_978_856,
            2.834,
        ),
        ZooEntry(
            "googlenet",
            googlenet,
            "GoogLeNet (Inception v1)",
            "Szegedy et al., Going Deeper with Convolutions, CVPR 2015",
            (3, 224, 224),
            {
                "num_classes": "classifier outputs",
                "branch3_kernel": "kernel of the '5x5' branch: 3 as torchvision (default), 5 as the paper",
            },
            (Inception,),
            "inception module",
            ("maxpool2", "inception3b", "inception4e", "inception5b"),
            "fc",
            6_624_904,
            1.498,
            notes=("no auxiliary classifiers",),
        ),
    )
}


def entry(name: str) -> ZooEntry:
    try:
        return MODELS[name]
    except KeyError:
        known = ", ".join(MODELS)
        raise KeyError(f"no model '{name}' in the zoo; known: {known}") from None


def build(name: str, **options: Any) -> nn.Module:
    """Build a zoo model (on the current default device: wrap in `with torch.device("meta")` to count)."""
    zoo_entry = entry(name)
    unknown = sorted(set(options) - set(zoo_entry.options))
    if unknown:
        raise ValueError(
            f"{name}: unknown option(s) {', '.join(unknown)}; options are {', '.join(zoo_entry.options)}"
        )
    model = zoo_entry.factory(**options)
    return model.eval()


def default_input(name: str, **options: Any) -> tuple[int, int, int]:
    """(C, H, W) of the published configuration, or the side an `image_size` option fixes."""
    zoo_entry = entry(name)
    channels, height, width = zoo_entry.input_shape
    if zoo_entry.input_option and zoo_entry.input_option in options:
        side = int(options[zoo_entry.input_option])
        return (channels, side, side)
    return (channels, height, width)


def input_options(name: str, input_shape: tuple[int, ...] | list[int] | None) -> dict[str, Any]:
    """Options a model needs to run on `input_shape` (ViT's image_size); {} for models that take any size."""
    side_option = entry(name).input_option
    if side_option is None or input_shape is None or len(input_shape) != 3:
        return {}
    return {side_option: int(input_shape[-1])}


def block_names(model: nn.Module, name: str) -> list[str]:
    """Qualified names of the model's repeated blocks (bottlenecks, inverted residuals, ...), in forward order."""
    types = entry(name).block_types
    return [qualified for qualified, module in model.named_modules() if isinstance(module, types)]

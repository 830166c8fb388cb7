"""ViT-B/16 (Dosovitskiy et al. 2021), laid out as torchvision's.

`conv_proj` (patch embedding: a P x P conv with stride P to 768 channels), `class_token`, `encoder`
(`pos_embedding`, `layers.encoder_layer_0` … `encoder_layer_11`, final `ln`), `heads.head` (Linear). An encoder
block is pre-norm: `ln_1` -> `self_attention` (nn.MultiheadAttention, 12 heads) -> + input; `ln_2` -> `mlp`
(`0` Linear 768->3072, `1` GELU, `2` Dropout, `3` Linear 3072->768, `4` Dropout) -> + input. The sequence is
(image_size / P)^2 patches plus the class token, so image_size and patch_size change the positional embedding
and the attention cost.
"""

from __future__ import annotations

from collections import OrderedDict
from functools import partial

import torch
from torch import Tensor, nn

from analysis.zoo.layers import MLP

LayerNorm = partial(nn.LayerNorm, eps=1e-6)


class EncoderBlock(nn.Module):
    def __init__(self, num_heads: int, hidden_dim: int, mlp_dim: int, dropout: float = 0.0) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.ln_1 = LayerNorm(hidden_dim)
        self.self_attention = nn.MultiheadAttention(hidden_dim, num_heads, batch_first=True)
        self.dropout = nn.Dropout(dropout)
        self.ln_2 = LayerNorm(hidden_dim)
        self.mlp = MLP(hidden_dim, [mlp_dim, hidden_dim], activation_layer=nn.GELU, dropout=dropout)

    def forward(self, x: Tensor) -> Tensor:
        y = self.ln_1(x)
        y, _ = self.self_attention(y, y, y, need_weights=False)
        x = x + self.dropout(y)
        return x + self.mlp(self.ln_2(x))


class Encoder(nn.Module):
    def __init__(
        self, seq_length: int, num_layers: int, num_heads: int, hidden_dim: int, mlp_dim: int, dropout: float
    ) -> None:
        super().__init__()
        self.pos_embedding = nn.Parameter(torch.empty(1, seq_length, hidden_dim).normal_(std=0.02))
        self.dropout = nn.Dropout(dropout)
        self.layers = nn.Sequential(
            OrderedDict(
                (f"encoder_layer_{i}", EncoderBlock(num_heads, hidden_dim, mlp_dim, dropout))
                for i in range(num_layers)
            )
        )
        self.ln = LayerNorm(hidden_dim)

    def forward(self, x: Tensor) -> Tensor:
        return self.ln(self.layers(self.dropout(x + self.pos_embedding)))


class VisionTransformer(nn.Module):
    def __init__(
        self,
        image_size: int,
        patch_size: int,
        num_layers: int,
        num_heads: int,
        hidden_dim: int,
        mlp_dim: int,
        num_classes: int = 1000,
        dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if image_size % patch_size:
            raise ValueError(f"vit: image_size {image_size} is not a multiple of patch_size {patch_size}")
        self.image_size = image_size
        self.patch_size = patch_size
        self.hidden_dim = hidden_dim
        self.conv_proj = nn.Conv2d(3, hidden_dim, kernel_size=patch_size, stride=patch_size)
        seq_length = (image_size // patch_size) ** 2 + 1  # patches + class token
        self.class_token = nn.Parameter(torch.zeros(1, 1, hidden_dim))
        self.encoder = Encoder(seq_length, num_layers, num_heads, hidden_dim, mlp_dim, dropout)
        self.seq_length = seq_length
        self.heads = nn.Sequential(OrderedDict([("head", nn.Linear(hidden_dim, num_classes))]))

    def _process_input(self, x: Tensor) -> Tensor:
        n, _, h, w = x.shape
        if h != self.image_size or w != self.image_size:
            raise ValueError(f"vit: built for {self.image_size}x{self.image_size} inputs, got {h}x{w}")
        x = self.conv_proj(x)  # n, hidden, h/P, w/P
        x = x.reshape(n, self.hidden_dim, -1)
        return x.permute(0, 2, 1)  # n, patches, hidden

    def forward(self, x: Tensor) -> Tensor:
        x = self._process_input(x)
        class_token = self.class_token.expand(x.shape[0], -1, -1)
        x = self.encoder(torch.cat([class_token, x], dim=1))
        return self.heads(x[:, 0])


def vit_b_16(num_classes: int = 1000, image_size: int = 224, patch_size: int = 16) -> VisionTransformer:
    """ViT-Base: 12 layers, 12 heads, width 768, MLP 3072; patch_size 32 gives ViT-B/32."""
    return VisionTransformer(image_size, patch_size, 12, 12, 768, 3072, num_classes=num_classes)

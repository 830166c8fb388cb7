"""Swin-T (Liu et al. 2021), laid out as torchvision's `swin_t` (v1).

`features.0` patch embedding (4x4 conv, stride 4, to 96 channels; channels-last; LayerNorm); `features.1`,
`features.3`, `features.5`, `features.7` the four stages (2, 2, 6, 2 `SwinTransformerBlock`s; 3, 6, 12, 24 heads;
widths 96, 192, 384, 768) with `PatchMerging` at `features.2`, `.4`, `.6` (2x2 neighbours concatenated ->
LayerNorm(4C) -> Linear 4C->2C without bias); then `norm`, `permute`, `avgpool`, `flatten`, `head`. A block is
`norm1` -> `attn` (window attention in 7x7 windows, shifted by 3 in odd blocks; `qkv` Linear C->3C, a learned
relative-position bias table of (2*7-1)^2 x heads, `proj` Linear C->C) -> + input; `norm2` -> `mlp`
(C->4C, GELU, 4C->C) -> + input. Feature maps are channels-last inside `features` ([N, H, W, C]).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from analysis.zoo.layers import MLP, Permute, StochasticDepth


def _patch_merging_pad(x: Tensor) -> Tensor:
    h, w, _ = x.shape[-3:]
    x = F.pad(x, (0, 0, 0, w % 2, 0, h % 2))
    x0 = x[..., 0::2, 0::2, :]
    x1 = x[..., 1::2, 0::2, :]
    x2 = x[..., 0::2, 1::2, :]
    x3 = x[..., 1::2, 1::2, :]
    return torch.cat([x0, x1, x2, x3], -1)


class PatchMerging(nn.Module):
    def __init__(self, dim: int, norm_layer: type[nn.Module] = nn.LayerNorm) -> None:
        super().__init__()
        self.dim = dim
        self.reduction = nn.Linear(4 * dim, 2 * dim, bias=False)
        self.norm = norm_layer(4 * dim)

    def forward(self, x: Tensor) -> Tensor:
        return self.reduction(self.norm(_patch_merging_pad(x)))


def _shift_mask(pad_h: int, pad_w: int, window: Sequence[int], shift: Sequence[int], like: Tensor) -> Tensor:
    """-100 where a query and a key of one shifted window come from different regions of the image."""
    mask = like.new_zeros((pad_h, pad_w))
    h_slices = ((0, -window[0]), (-window[0], -shift[0]), (-shift[0], None))
    w_slices = ((0, -window[1]), (-window[1], -shift[1]), (-shift[1], None))
    count = 0
    for h in h_slices:
        for w in w_slices:
            mask[h[0] : h[1], w[0] : w[1]] = count
            count += 1
    mask = mask.view(pad_h // window[0], window[0], pad_w // window[1], window[1])
    mask = mask.permute(0, 2, 1, 3).reshape(-1, window[0] * window[1])
    mask = mask.unsqueeze(1) - mask.unsqueeze(2)
    return mask.masked_fill(mask != 0, -100.0).masked_fill(mask == 0, 0.0)


class ShiftedWindowAttention(nn.Module):
    def __init__(
        self, dim: int, window_size: Sequence[int], shift_size: Sequence[int], num_heads: int
    ) -> None:
        super().__init__()
        self.window_size = list(window_size)
        self.shift_size = list(shift_size)
        self.num_heads = num_heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
        wh, ww = self.window_size
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * wh - 1) * (2 * ww - 1), num_heads))
        nn.init.trunc_normal_(self.relative_position_bias_table, std=0.02)
        coords = torch.stack(torch.meshgrid(torch.arange(wh), torch.arange(ww), indexing="ij")).flatten(1)
        relative = (coords[:, :, None] - coords[:, None, :]).permute(1, 2, 0).contiguous()
        relative[:, :, 0] += wh - 1
        relative[:, :, 1] += ww - 1
        relative[:, :, 0] *= 2 * ww - 1
        self.register_buffer("relative_position_index", relative.sum(-1).flatten())

    def relative_position_bias(self) -> Tensor:
        n = self.window_size[0] * self.window_size[1]
        bias = self.relative_position_bias_table[self.relative_position_index].view(n, n, -1)
        return bias.permute(2, 0, 1).contiguous().unsqueeze(0)

    def forward(self, x: Tensor) -> Tensor:
        b, h, w, c = x.shape
        window, heads = self.window_size, self.num_heads
        pad_r = (window[1] - w % window[1]) % window[1]
        pad_b = (window[0] - h % window[0]) % window[0]
        x = F.pad(x, (0, 0, 0, pad_r, 0, pad_b))
        _, pad_h, pad_w, _ = x.shape
        shift = [
            0 if window[0] >= pad_h else self.shift_size[0],
            0 if window[1] >= pad_w else self.shift_size[1],
        ]
        if sum(shift) > 0:
            x = torch.roll(x, shifts=(-shift[0], -shift[1]), dims=(1, 2))
        num_windows = (pad_h // window[0]) * (pad_w // window[1])
        x = x.view(b, pad_h // window[0], window[0], pad_w // window[1], window[1], c)
        x = x.permute(0, 1, 3, 2, 4, 5).reshape(b * num_windows, window[0] * window[1], c)
        tokens = x.size(1)

        qkv = self.qkv(x).reshape(x.size(0), tokens, 3, heads, c // heads).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attn = (q * (c // heads) ** -0.5).matmul(k.transpose(-2, -1))  # windows, heads, tokens, tokens
        attn = attn + self.relative_position_bias()
        if sum(shift) > 0:
            mask = _shift_mask(pad_h, pad_w, window, shift, x)
            attn = attn.view(b, num_windows, heads, tokens, tokens) + mask.unsqueeze(1).unsqueeze(0)
            attn = attn.view(-1, heads, tokens, tokens)
        attn = F.softmax(attn, dim=-1)
        x = attn.matmul(v).transpose(1, 2).reshape(x.size(0), tokens, c)
        x = self.proj(x)

        x = x.view(b, pad_h // window[0], pad_w // window[1], window[0], window[1], c)
        x = x.permute(0, 1, 3, 2, 4, 5).reshape(b, pad_h, pad_w, c)
        if sum(shift) > 0:
            x = torch.roll(x, shifts=(shift[0], shift[1]), dims=(1, 2))
        return x[:, :h, :w, :].contiguous()


class SwinTransformerBlock(nn.Module):
    def __init__(
        self,
        dim: int,
        num_heads: int,
        window_size: Sequence[int],
        shift_size: Sequence[int],
        mlp_ratio: float = 4.0,
        stochastic_depth_prob: float = 0.0,
        norm_layer: type[nn.Module] = nn.LayerNorm,
    ) -> None:
        super().__init__()
        self.norm1 = norm_layer(dim)
        self.attn = ShiftedWindowAttention(dim, window_size, shift_size, num_heads)
        self.stochastic_depth = StochasticDepth(stochastic_depth_prob)
        self.norm2 = norm_layer(dim)
        self.mlp = MLP(dim, [int(dim * mlp_ratio), dim], activation_layer=nn.GELU)

    def forward(self, x: Tensor) -> Tensor:
        x = x + self.stochastic_depth(self.attn(self.norm1(x)))
        return x + self.stochastic_depth(self.mlp(self.norm2(x)))


class SwinTransformer(nn.Module):
    def __init__(
        self,
        patch_size: Sequence[int],
        embed_dim: int,
        depths: Sequence[int],
        num_heads: Sequence[int],
        window_size: Sequence[int],
        mlp_ratio: float = 4.0,
        stochastic_depth_prob: float = 0.2,
        num_classes: int = 1000,
    ) -> None:
        super().__init__()
        norm_layer = partial(nn.LayerNorm, eps=1e-5)
        layers: list[nn.Module] = [
            nn.Sequential(
                nn.Conv2d(3, embed_dim, kernel_size=tuple(patch_size), stride=tuple(patch_size)),
                Permute([0, 2, 3, 1]),
                norm_layer(embed_dim),
            )
        ]
        total_blocks = sum(depths)
        block_id = 0
        for i_stage, depth in enumerate(depths):
            dim = embed_dim * 2**i_stage
            stage = []
            for i_layer in range(depth):
                stage.append(
                    SwinTransformerBlock(
                        dim,
                        num_heads[i_stage],
                        window_size=window_size,
                        shift_size=[0 if i_layer % 2 == 0 else w // 2 for w in window_size],
                        mlp_ratio=mlp_ratio,
                        stochastic_depth_prob=stochastic_depth_prob * block_id / (total_blocks - 1),
                        norm_layer=norm_layer,
                    )
                )
                block_id += 1
            layers.append(nn.Sequential(*stage))
            if i_stage < len(depths) - 1:
                layers.append(PatchMerging(dim, norm_layer))
        self.features = nn.Sequential(*layers)
        num_features = embed_dim * 2 ** (len(depths) - 1)
        self.norm = norm_layer(num_features)
        self.permute = Permute([0, 3, 1, 2])  # N H W C -> N C H W
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.flatten = nn.Flatten(1)
        self.head = nn.Linear(num_features, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = self.permute(self.norm(self.features(x)))
        return self.head(self.flatten(self.avgpool(x)))


def swin_t(num_classes: int = 1000, window_size: int = 7, embed_dim: int = 96) -> SwinTransformer:
    return SwinTransformer(
        patch_size=[4, 4],
        embed_dim=embed_dim,
        depths=[2, 2, 6, 2],
        num_heads=[3, 6, 12, 24],
        window_size=[window_size, window_size],
        num_classes=num_classes,
    )

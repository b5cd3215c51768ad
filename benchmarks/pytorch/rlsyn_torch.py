"""RLSyn in plain PyTorch (CPU, float32, eager, no torch.compile), mirroring the Swift implementation.

One function or class per Swift piece, with the Swift source it follows:

* RLSynPolicy            <- Sources/Synthesizers/RLSyn/RLSynPolicy.swift (per-record log-std, closed-form entropy)
* Discriminator          <- Sources/Synthesizers/RLSyn/Discriminator.swift (BCE on one stacked batch + R1 by double backprop)
* normalized_advantages,
  clipped_surrogate_loss <- Sources/Synthesizers/RLSyn/PPO.swift
* RLSynTrainer           <- Sources/Synthesizers/RLSyn/RLSynTrainer.swift, sequential order only
                            (concurrentDiscriminator = false), advantage = value, per-record log-std,
                            no round-trip fakes, no policy averaging
* Config                 <- RLSynConfiguration.swift; `Config.from_swift` takes the configuration a Swift model
                            file stores (what scripts/bench-pytorch.sh does) and refuses options not mirrored here

The deliberate differences from the Swift code are listed in benchmarks/pytorch/README.md.
"""

from __future__ import annotations

import json
import math
import struct
import time
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

LOG_2PI = math.log(2 * math.pi)
LOG_2PI_E = math.log(2 * math.pi * math.e)


@dataclass
class Config:
    """RLSynConfiguration. The defaults are the `small` preset as of commit 2853163 with the benchmark's overrides
    (width 256, batch 256, K = 5, 4 PPO epochs, noise 64, R1 every step, sequential); the benchmark script does not
    rely on them: it passes the configuration of a Swift fit with the same options (`from_swift`)."""

    iterations: int = 100
    batch_size: int = 256
    noise_dimension: int = 64
    policy_width: int = 256
    discriminator_width: int = 128
    policy_learning_rate: float = 1e-3
    discriminator_learning_rate: float = 3e-3
    r1_gamma: float = 5.0
    discriminator_steps: int = 5
    ppo_epochs: int = 4
    clip_epsilon: float = 0.1
    value_coefficient: float = 0.5
    entropy_coefficient: float = 1e-3
    mean_penalty: float = 0.2
    mean_penalty_scope: str = "all"    # or "continuous" (Gaussian columns only)
    mean_penalty_reference_width: int = 128  # past this many columns in scope, the sum is scaled to this many (0: plain sum)
    r1_interval: int = 1
    log_std_low: float = -4.0
    log_std_high: float = 1.0
    marginal_initialization: bool = True
    log_every: int = 50
    reward: str = "logit"              # "probability" σ(D), "log-probability" log σ(D), or "logit" D
    entropy_estimate: str = "closed-form"  # or "sample" (−mean log π of the rollout's records)

    # Swift key -> Config field; SWIFT_REQUIRED: keys whose values must be these to be mirrored here.
    SWIFT_FIELDS = {
        "iterations": "iterations", "batchSize": "batch_size", "noiseDimension": "noise_dimension",
        "policyWidth": "policy_width", "discriminatorWidth": "discriminator_width",
        "policyLearningRate": "policy_learning_rate", "discriminatorLearningRate": "discriminator_learning_rate",
        "r1Gamma": "r1_gamma", "discriminatorSteps": "discriminator_steps", "ppoEpochs": "ppo_epochs",
        "clipEpsilon": "clip_epsilon", "valueCoefficient": "value_coefficient",
        "entropyCoefficient": "entropy_coefficient", "meanPenalty": "mean_penalty",
        "meanPenaltyScope": "mean_penalty_scope", "meanPenaltyReferenceWidth": "mean_penalty_reference_width",
        "r1Interval": "r1_interval",
        "marginalInitialization": "marginal_initialization", "logEvery": "log_every", "reward": "reward",
        "entropyEstimate": "entropy_estimate"}
    SWIFT_REQUIRED = {"concurrentDiscriminator": False, "advantageEstimator": "value", "roundTripFakes": False,
                      "policyAverageDecay": 0, "logStd": "per-record", "policyWeightDecay": 0}
    SWIFT_IGNORED = {"preset", "reuseRolloutFakes"}   # reuseRolloutFakes acts only in the concurrent mode

    @classmethod
    def from_swift(cls, configuration: dict, **overrides) -> "tuple[Config, list]":
        """The Config of a Swift RLSynConfiguration (the `configuration` object of a model file's metadata).
        Raises ValueError for a setting this reimplementation does not mirror; unknown keys are returned as warnings."""
        kw, warnings = {}, []
        for key, value in configuration.items():
            if key in cls.SWIFT_FIELDS:
                kw[cls.SWIFT_FIELDS[key]] = value
            elif key == "logStdRange":
                kw["log_std_low"], kw["log_std_high"] = float(value[0]), float(value[1])
            elif key in cls.SWIFT_REQUIRED:
                if value != cls.SWIFT_REQUIRED[key]:
                    raise ValueError(f"{key} = {value!r} is not mirrored by the PyTorch code "
                                     f"(it implements {key} = {cls.SWIFT_REQUIRED[key]!r})")
            elif key not in cls.SWIFT_IGNORED:
                warnings.append(f"unknown Swift setting {key} = {value!r} (not mirrored)")
        for key in ("reward", "entropy_estimate", "mean_penalty_scope"):
            allowed = {"reward": ("probability", "log-probability", "logit"),
                       "entropy_estimate": ("closed-form", "sample"), "mean_penalty_scope": ("all", "continuous")}[key]
            if key in kw and kw[key] not in allowed:
                raise ValueError(f"{key} = {kw[key]!r} is not mirrored by the PyTorch code")
        kw.update(overrides)
        return cls(**kw), warnings

    def to_json(self) -> dict:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


def read_swift_model(path: str):
    """(metadata, {name: tensor}) of a Swift model file (ParameterArchive: "RLSYNPAR", version, JSON metadata,
    named Float32 matrices stored rows x cols, CRC; the checksum is not verified here)."""
    b = open(path, "rb").read()
    if b[:8] != b"RLSYNPAR":
        raise ValueError(f"{path}: not a Swift model file")
    n, = struct.unpack_from("<Q", b, 12)
    meta = json.loads(b[20:20 + n])
    off = 20 + n
    count, = struct.unpack_from("<I", b, off)
    off += 4
    tensors = {}
    for _ in range(count):
        ln, = struct.unpack_from("<I", b, off)
        off += 4
        name = b[off:off + ln].decode()
        off += ln
        r, c = struct.unpack_from("<II", b, off)
        off += 8
        tensors[name] = torch.tensor(struct.unpack_from(f"<{r * c}f", b, off), dtype=torch.float32).reshape(r, c)
        off += 4 * r * c
    return meta, tensors


def swift_dequantization(path: str) -> list:
    """[(Gaussian column, indicator column or None, level boundaries)] of the columns a Swift model file's encoder
    dequantizes (EncodingOptions.dequantizeLevels, NumericTransform.levelBoundaries); [] for other files."""
    if open(path, "rb").read(8) != b"RLSYNPAR":
        return []
    encoder = read_swift_model(path)[0].get("encoder", {})
    if not encoder.get("options", {}).get("dequantizeLevels", False):
        return []
    return [(c["gaussian"], c.get("indicator"), c["transform"]["levelBoundaries"]) for c in encoder.get("coders", [])
            if "gaussian" in c and c.get("transform", {}).get("levelBoundaries")]


@torch.no_grad()
def dequantize(data: torch.Tensor, columns: list, generator: torch.Generator) -> torch.Tensor:
    """TableEncoder.dequantize with torch's own random stream: each present score of a listed column becomes
    Phi^-1(F_{k-1} + u (F_k - F_{k-1})), a draw from N(0, 1) restricted to its level's CDF step, kept inside the step.
    Same distribution as the Swift training matrix, other draws."""
    out = data.clone()
    for column, indicator, boundaries in columns:
        b = torch.tensor(boundaries, dtype=torch.float32)
        z = out[:, column]
        present = torch.ones_like(z, dtype=torch.bool) if indicator is None else out[:, indicator] < 0.5
        k = torch.searchsorted(b, z.contiguous(), right=True)          # b[k-1] <= z < b[k]
        bd = b.double()
        padded = torch.cat([bd.new_tensor([-math.inf]), bd, bd.new_tensor([math.inf])])
        below = torch.special.ndtr(padded[k])
        above = torch.special.ndtr(padded[k + 1])
        u = torch.rand(z.shape[0], generator=generator, dtype=torch.float64)
        p = (below + u * (above - below)).clamp(1e-7, 1 - 1e-7)
        score = torch.special.ndtri(p).float()
        lower = padded[k].float()
        upper = torch.nextafter(padded[k + 1].float(), torch.tensor(-math.inf))
        score = torch.minimum(torch.maximum(score, lower), upper)
        out[:, column] = torch.where(present, score, z)
    return out


def load_config(path: str, **overrides):
    """Config (and warnings) from a Swift model file or a JSON file holding its `configuration` object."""
    if open(path, "rb").read(8) == b"RLSYNPAR":
        configuration = read_swift_model(path)[0]["configuration"]
    else:
        with open(path, encoding="utf-8") as f:
            configuration = json.load(f)
        configuration = configuration.get("configuration", configuration)
    return Config.from_swift(configuration, **overrides)


class GroupedLogSoftmax:
    """log-softmax within each categorical group of a `n x dc` block (Matrix.logSoftmax(groups:)).

    One torch.log_softmax per group on the column split, then one cat: the idiomatic form, and the fastest
    of the three we timed on CPU (a padded `n x G x Lmax` gather was 3-4x slower, a membership-matrix
    logsumexp about the same at batch 256 and slower at 1,280).
    """

    def __init__(self, groups: list):
        self.groups = groups
        self.sizes = [len(g) for g in groups]
        self.starts = [g.start for g in groups]

    def __call__(self, logits: torch.Tensor) -> torch.Tensor:
        return torch.cat([torch.log_softmax(s, dim=1) for s in torch.split(logits, self.sizes, dim=1)], dim=1)


class RLSynPolicy(nn.Module):
    """z -> Linear -> ReLU -> Linear -> ReLU -> one Linear for all heads:
    [means (dg) | log-std (dg, sigmoid-squashed into [lo, hi]) | Bernoulli logits (db) | categorical logits (dc) | value]."""

    def __init__(self, layout, noise_dimension: int, width: int, log_std_range=(-4.0, 1.0)):
        super().__init__()
        self.layout = layout
        self.dg, self.db, self.dc = len(layout.gaussian), len(layout.bernoulli), len(layout.categorical)
        self.lo, self.span = log_std_range[0], log_std_range[1] - log_std_range[0]
        self.hidden1 = nn.Linear(noise_dimension, width)
        self.hidden2 = nn.Linear(width, width)
        self.heads = nn.Linear(width, 2 * self.dg + self.db + self.dc + 1)
        self.group_softmax = GroupedLogSoftmax(layout.local_categorical_groups) if self.dc else None
        # presence mask: which Gaussian columns have an indicator, and where it is.
        has = [m is not None for m in layout.missing_indicator_for_gaussian]
        self.indicator_columns = torch.tensor([m if m is not None else 0 for m in layout.missing_indicator_for_gaussian],
                                              dtype=torch.long)
        self.has_indicator = torch.tensor(has, dtype=torch.bool)

    def forward(self, z: torch.Tensor) -> dict:
        out = self.heads(F.relu(self.hidden2(F.relu(self.hidden1(z)))))
        dg, db, dc = self.dg, self.db, self.dc
        o = {"mean": out[:, :dg],
             "log_std": torch.sigmoid(out[:, dg:2 * dg]) * self.span + self.lo,
             "bernoulli_logits": out[:, 2 * dg:2 * dg + db],
             "value": out[:, 2 * dg + db + dc:]}
        cat = out[:, 2 * dg + db:2 * dg + db + dc]
        o["categorical_log_probabilities"] = self.group_softmax(cat) if dc else cat
        return o

    def presence_mask(self, records: torch.Tensor) -> torch.Tensor:
        """1 where a Gaussian value is present (its indicator is 0, or it has none) (RecordLayout.presenceMask)."""
        ind = records[:, self.indicator_columns] > 0.5
        return (~(ind & self.has_indicator)).to(records.dtype)

    @torch.no_grad()
    def initialize_to_marginals(self, data: torch.Tensor, weight_scale: float = 0.1):
        """RLSynPolicy.initializeToMarginals: head weights x 0.1, head biases at the training marginals."""
        L = self.layout
        self.heads.weight.mul_(weight_scale)
        bias = self.heads.bias
        means = data.double().mean(0)
        presence = self.presence_mask(data).double()
        g = data[:, L.gaussian.start:L.gaussian.stop].double()
        for j in range(self.dg):
            p = presence[:, j] > 0
            v = g[p, j]
            n = v.numel()
            mu = v.sum().item() / n if n > 0 else 0.0
            sd = max(math.sqrt(max((v * v).sum().item() / n - mu * mu, 0.0)), 1e-3) if n > 1 else 1.0
            bias[j] = mu
            unit = min(max((math.log(sd) - self.lo) / self.span, 0.02), 0.98)
            bias[self.dg + j] = math.log(unit / (1 - unit))
        for k, j in enumerate(L.bernoulli):
            p = min(max(means[j].item(), 1e-3), 1 - 1e-3)
            bias[2 * self.dg + k] = math.log(p / (1 - p))
        for k, j in enumerate(L.categorical):
            bias[2 * self.dg + self.db + k] = math.log(max(means[j].item(), 1e-3))
        bias[-1] = 0.5

    @torch.no_grad()
    def sample(self, o: dict, generator: torch.Generator) -> torch.Tensor:
        """One record per row (RLSynPolicy.sample): Gaussian draws, Bernoulli draws, inverse-CDF categorical draws;
        Gaussian slots whose indicator was drawn 1 are set to the missing value (0 under the quantile encoding)."""
        L = self.layout
        mean = o["mean"]
        n = mean.shape[0]
        parts = []
        if self.dg:
            parts.append(mean + o["log_std"].exp() * torch.randn(mean.shape, generator=generator))
        if self.db:
            l = o["bernoulli_logits"]
            parts.append((torch.rand(l.shape, generator=generator) < torch.sigmoid(l)).to(mean.dtype))
        if self.dc:
            gs = self.group_softmax
            u = torch.rand(n, len(gs.sizes), generator=generator)
            onehot = torch.zeros(n, self.dc, dtype=mean.dtype)
            for k, lp in enumerate(torch.split(o["categorical_log_probabilities"], gs.sizes, dim=1)):
                # inverse CDF: the first level whose cumulative probability exceeds u (the last level if none does)
                chosen = (lp.exp().cumsum(1) <= u[:, k:k + 1]).sum(1).clamp(max=gs.sizes[k] - 1)
                onehot.scatter_(1, (chosen + gs.starts[k]).unsqueeze(1), 1.0)
            parts.append(onehot)
        records = torch.cat(parts, dim=1)
        if self.dg:
            missing = self.presence_mask(records) == 0
            g = records[:, L.gaussian.start:L.gaussian.stop]
            g.masked_fill_(missing, 0.0)
        return records

    def log_probability(self, records: torch.Tensor, o: dict) -> torch.Tensor:
        """log pi(x|z) per record (n x 1): present Gaussian log-densities + Bernoulli + chosen categorical levels."""
        L = self.layout
        terms = []
        if self.dg:
            x = records[:, L.gaussian.start:L.gaussian.stop]
            presence = self.presence_mask(records)
            s = (x - o["mean"]) * (-o["log_std"]).exp()
            terms.append((s.square() * -0.5 - o["log_std"] - 0.5 * LOG_2PI) * presence)
        if self.db:
            l = o["bernoulli_logits"]
            terms.append(records[:, L.bernoulli.start:L.bernoulli.stop] * l - F.softplus(l))
        if self.dc:
            terms.append(records[:, L.categorical.start:L.categorical.stop] * o["categorical_log_probabilities"])
        return torch.cat(terms, dim=1).sum(1, keepdim=True)

    def entropy(self, o: dict, presence: torch.Tensor) -> torch.Tensor:
        """Closed-form entropy per record (n x 1)."""
        terms = []
        if self.dg:
            terms.append(((o["log_std"] + 0.5 * LOG_2PI_E) * presence).sum(1, keepdim=True))
        if self.db:
            l = o["bernoulli_logits"]
            terms.append((F.softplus(l) - l * torch.sigmoid(l)).sum(1, keepdim=True))
        if self.dc:
            lp = o["categorical_log_probabilities"]
            terms.append((-(lp.exp() * lp)).sum(1, keepdim=True))
        return sum(terms[1:], terms[0])


class Discriminator(nn.Module):
    """Linear -> LeakyReLU(0.2) -> Linear -> LeakyReLU(0.2) -> Linear -> logit."""

    def __init__(self, inputs: int, width: int):
        super().__init__()
        self.network = nn.Sequential(nn.Linear(inputs, width), nn.LeakyReLU(0.2), nn.Linear(width, width),
                                     nn.LeakyReLU(0.2), nn.Linear(width, 1))

    def forward(self, x):
        return self.network(x)

    @torch.no_grad()
    def rewards(self, records, form: str = "probability"):
        """σ(D(x)), log σ(D(x)) or D(x), without gradient (Discriminator.rewards(_:form:))."""
        logits = self.network(records)
        if form == "probability":
            return torch.sigmoid(logits)
        if form == "log-probability":
            return -F.softplus(-logits)
        return logits

    def loss(self, real: torch.Tensor, fake: torch.Tensor, gamma: float):
        """BCE(D(real), 1) + BCE(D(fake), 0) + gamma/2 * mean_i ||grad_x D(x_real,i)||^2 on one stacked batch."""
        nr, nf = real.shape[0], fake.shape[0]
        x = torch.cat([real, fake]).requires_grad_(gamma > 0)
        logits = self(x)
        bce = F.softplus(-logits[:nr]).mean() + F.softplus(logits[nr:]).mean()
        if gamma <= 0:
            return bce, bce.item(), 0.0
        # grad_x of sum over the real rows (fake rows get 0), kept in the graph for the second backward pass.
        gx, = torch.autograd.grad(logits[:nr].sum(), x, create_graph=True)
        r1 = gx.square().sum() * (gamma / (2 * nr))
        return bce + r1, bce.item(), r1.item()


def normalized_advantages(rewards: torch.Tensor, values: torch.Tensor) -> torch.Tensor:
    a = rewards - values
    return (a - a.mean()) / (a.std(unbiased=True) + 1e-8)


def clipped_surrogate_loss(log_p, old_log_p, advantages, epsilon, log_ratio_bound=20.0):
    ratio = (log_p - old_log_p).clamp(-log_ratio_bound, log_ratio_bound).exp()
    return -torch.minimum(ratio * advantages, ratio.clamp(1 - epsilon, 1 + epsilon) * advantages).mean()


class BatchCycler:
    """Batches that visit every record once per pass (fresh permutation per pass; batches may straddle passes)."""

    def __init__(self, data, generator):
        self.data, self.generator = data, generator
        self.order, self.cursor = torch.empty(0, dtype=torch.long), 0

    def next(self, n):
        parts, need = [], n
        while need > 0:
            if self.cursor >= self.order.numel():
                self.order, self.cursor = torch.randperm(self.data.shape[0], generator=self.generator), 0
            take = min(need, self.order.numel() - self.cursor)
            parts.append(self.order[self.cursor:self.cursor + take])
            self.cursor += take
            need -= take
        return self.data[torch.cat(parts)]


class RLSynTrainer:
    """RLSynTrainer in the paper's (sequential) order: rollout -> PPO epochs -> K D steps on fresh fakes."""

    def __init__(self, config: Config, layout, data: torch.Tensor, seed: int = 0):
        torch.manual_seed(seed)
        self.cfg, self.layout, self.data = config, layout, data
        self.policy = RLSynPolicy(layout, config.noise_dimension, config.policy_width,
                                  (config.log_std_low, config.log_std_high))
        self.discriminator = Discriminator(layout.width, config.discriminator_width)
        if config.marginal_initialization:
            self.policy.initialize_to_marginals(data)
        self.policy_optimizer = torch.optim.Adam(self.policy.parameters(), lr=config.policy_learning_rate)
        self.discriminator_optimizer = torch.optim.Adam(self.discriminator.parameters(),
                                                        lr=config.discriminator_learning_rate)
        self.generator = torch.Generator().manual_seed(seed + 1)
        self.real_batches = BatchCycler(data, self.generator)
        self.column_means = data.mean(0)
        self.inverse_variances = 1 / data.var(0, unbiased=False).clamp(min=1e-4)
        self.discriminator_step_count = 0

    # 1. rollout
    def rollout(self):
        cfg = self.cfg
        z = torch.randn(cfg.batch_size, cfg.noise_dimension, generator=self.generator)
        out = self.policy(z)                              # recorded: epoch 0 of the PPO reuses it
        records = self.policy.sample(out, self.generator)
        rewards = self.discriminator.rewards(records, cfg.reward)
        with torch.no_grad():
            old_log_p = self.policy.log_probability(records, out)
            advantages = normalized_advantages(rewards, out["value"])
        return {"z": z, "out": out, "records": records, "rewards": rewards, "old_log_p": old_log_p,
                "advantages": advantages}

    def mean_matching_penalty(self, o, presence):
        """λm's P = Σ_j (E[x_j] − x̄_j)² / Var(x_j); the blocks are contiguous, in record order, so the targets are
        the column means of the Gaussian block (scope "continuous") or of every column (scope "all")."""
        if self.cfg.mean_penalty_scope == "all":
            expected = torch.cat([o["mean"] * presence, torch.sigmoid(o["bernoulli_logits"]),
                                  o["categorical_log_probabilities"].exp()], dim=1).mean(0)
            return self.scaled_to_reference_width(((expected - self.column_means).square() * self.inverse_variances).sum(),
                                                  expected.shape[0])
        g = self.layout.gaussian
        expected = (o["mean"] * presence).mean(0)
        return self.scaled_to_reference_width(
            ((expected - self.column_means[g.start:g.stop]).square() * self.inverse_variances[g.start:g.stop]).sum(),
            expected.shape[0])

    def scaled_to_reference_width(self, total, width):
        """The sum scaled to mean_penalty_reference_width columns' worth once the scope is wider (as in Swift)."""
        reference = self.cfg.mean_penalty_reference_width
        return total * (reference / width) if reference > 0 and width > reference else total

    # 2. PPO epochs
    def ppo_epochs(self, b):
        cfg, policy = self.cfg, self.policy
        presence = policy.presence_mask(b["records"])
        stats = (0.0, 0.0)
        for epoch in range(cfg.ppo_epochs):
            o = b["out"] if epoch == 0 else policy(b["z"])
            surrogate = clipped_surrogate_loss(policy.log_probability(b["records"], o), b["old_log_p"],
                                               b["advantages"], cfg.clip_epsilon)
            value_loss = (o["value"] - b["rewards"]).square().mean()
            if cfg.entropy_estimate == "closed-form":
                h = policy.entropy(o, presence).mean()
            else:
                h = -policy.log_probability(b["records"], o).mean()
            loss = surrogate + value_loss * cfg.value_coefficient - h * cfg.entropy_coefficient
            if cfg.mean_penalty > 0:
                loss = loss + self.mean_matching_penalty(o, presence) * cfg.mean_penalty
            self.policy_optimizer.zero_grad()
            loss.backward()
            self.policy_optimizer.step()
            stats = (surrogate.item(), h.item())
        return stats

    # 3. discriminator
    def discriminator_inputs(self):
        cfg = self.cfg
        with torch.no_grad():
            z = torch.randn(cfg.batch_size * cfg.discriminator_steps, cfg.noise_dimension, generator=self.generator)
            fakes = self.policy.sample(self.policy(z), self.generator)
        real = [self.real_batches.next(cfg.batch_size) for _ in range(cfg.discriminator_steps)]
        return real, fakes

    def discriminator_step(self, real, fake, gamma):
        total, bce, r1 = self.discriminator.loss(real, fake, gamma)
        self.discriminator_optimizer.zero_grad()
        total.backward()
        self.discriminator_optimizer.step()
        return bce, r1

    def discriminator_steps(self, inputs):
        cfg = self.cfg
        real_batches, fakes = inputs
        stats = (0.0, 0.0)
        for k, real in enumerate(real_batches):
            fake = fakes[k * cfg.batch_size:(k + 1) * cfg.batch_size]
            lazy = self.discriminator_step_count % cfg.r1_interval == 0
            self.discriminator_step_count += 1
            bce, r1 = self.discriminator_step(real, fake, cfg.r1_gamma * cfg.r1_interval if lazy else 0.0)
            stats = (bce, r1 / cfg.r1_interval if lazy else stats[1])
        return stats

    def step(self) -> dict:
        b = self.rollout()
        loss, entropy = self.ppo_epochs(b)
        bce, r1 = self.discriminator_steps(self.discriminator_inputs()) if self.cfg.discriminator_steps > 0 else (0.0, 0.0)
        return {"mean_reward": b["rewards"].mean().item(), "discriminator_loss": bce, "policy_loss": loss,
                "entropy": entropy, "r1_penalty": r1}

    def time_phases(self, repeats: int) -> dict:
        """RLSynTrainer.timePhases: each part of an iteration timed one after the other (seconds)."""
        cfg, t = self.cfg, {}

        def lap(name, start):
            t.setdefault(name, []).append(time.perf_counter() - start)

        for _ in range(repeats):
            start = time.perf_counter()
            b = self.rollout()
            lap("rollout (sample, rewards, log π)", start)
            start = time.perf_counter()
            self.ppo_epochs(b)
            lap(f"PPO epochs ({cfg.ppo_epochs})", start)
            start = time.perf_counter()
            real, fakes = self.discriminator_inputs()
            lap(f"discriminator fakes ({cfg.discriminator_steps} batches)", start)
            fake = fakes[:cfg.batch_size]
            start = time.perf_counter()
            self.discriminator_step(real[0], fake, 0.0)
            lap("one discriminator step, BCE only", start)
            start = time.perf_counter()
            self.discriminator_step(real[0], fake, cfg.r1_gamma)
            lap("one discriminator step, BCE + R1", start)
        return t

"""Tests of week6.beam_search: toy language models with known best sequences.

A toy LM gives every prefix its own fixed random next-token distribution. The judges are
exhaustive enumeration of all sequences (a beam as wide as the number of sequences must find
exactly their ranking), greedy decoding (beam width 1), and hand-built models where the classic
mistakes change the answer. Run: ``pytest weeks/week6/tests/test_beam_search.py``.
"""

from __future__ import annotations

import zlib
from types import ModuleType

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from grader import differential as diff

START, EOS = 99, 0


class ToyLM:
    """Next-token log-probs that depend on the whole prefix; checks how it is called."""

    def __init__(self, vocab: int, seed: int, temperature: float = 1.5, shift: float = 0.0):
        self.vocab, self.seed, self.temperature, self.shift = vocab, seed, temperature, shift
        self.calls = 0
        self.max_len: int | None = None

    def logp(self, prefix: tuple[int, ...]) -> np.ndarray:
        key = zlib.crc32(repr((self.seed, prefix)).encode())
        logits = np.random.default_rng(key).standard_normal(self.vocab) * self.temperature
        return logits - np.logaddexp.reduce(logits) - self.shift

    def __call__(self, prefixes: list[tuple[int, ...]]) -> np.ndarray:
        self.calls += 1
        for p in prefixes:
            p = tuple(p)
            assert p[0] == START, f"every prefix must begin with the start token, got {p}"
            assert EOS not in p, (
                f"step_fn was called with {p}, which already ended with eos={EOS}: finished "
                "hypotheses must leave the beam and never be expanded"
            )
            assert self.max_len is None or len(p) <= self.max_len, (
                f"prefix {p} is longer than max_len={self.max_len} generated tokens"
            )
        return np.stack([self.logp(tuple(p)) for p in prefixes])


class TableLM:
    """Log-probs from an explicit table: prefix (without start) -> {token: probability}."""

    def __init__(self, table: dict[tuple[int, ...], dict[int, float]], vocab: int):
        self.table, self.vocab = table, vocab

    def __call__(self, prefixes: list[tuple[int, ...]]) -> np.ndarray:
        rows = []
        for p in prefixes:
            assert EOS not in p, f"step_fn called with finished prefix {p}"
            row = np.full(self.vocab, -np.inf)
            for token, prob in self.table.get(tuple(p)[1:], {}).items():
                row[token] = np.log(prob)
            rows.append(row)
        return np.stack(rows)


def _exhaustive(lm, max_len: int, alpha: float) -> list[tuple[tuple[int, ...], float, float]]:
    """Every complete sequence (ended by eos, or max_len long), best normalised score first."""
    done = []

    def walk(seq: tuple[int, ...], total: float) -> None:
        logp = lm.logp((START, *seq)) if hasattr(lm, "logp") else lm([(START, *seq)])[0]
        for token, lp in enumerate(logp):
            if not np.isfinite(lp):
                continue
            new, score = (*seq, token), total + lp
            if token == EOS or len(new) == max_len:
                done.append((new, score, score / len(new) ** alpha))
            else:
                walk(new, score)

    walk((), 0.0)
    return sorted(done, key=lambda item: -item[2])


def _greedy(lm: ToyLM, max_len: int) -> tuple[tuple[int, ...], float]:
    seq: tuple[int, ...] = ()
    total = 0.0
    for _ in range(max_len):
        logp = lm.logp((START, *seq))
        token = int(np.argmax(logp))
        seq, total = (*seq, token), total + logp[token]
        if token == EOS:
            break
    return seq, total


def _fmt(hyps: list) -> str:
    return ", ".join(f"{tuple(h[0])} ({h[2]:.4f})" for h in hyps[:5])


@pytest.mark.clause("top-k", "score", "returns", "length", "step-fn-batch")
@pytest.mark.parametrize("alpha", [0.0, 0.6, 1.0])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_wide_beam_equals_exhaustive_search(impl: ModuleType, seed: int, alpha: float) -> None:
    lm = ToyLM(vocab=4, seed=seed)
    lm.max_len = 4
    want = _exhaustive(lm, 4, alpha)
    got = impl.beam_search(lm, START, EOS, beam_width=4**4, max_len=4, length_penalty=alpha)
    assert len(got) == len(want), (
        f"with a beam as wide as the number of sequences ({len(want)} complete sequences with "
        f"max_len=4), every one of them is finished and returned; you returned {len(got)}"
    )
    for rank, (hyp, (tokens, log_prob, score)) in enumerate(zip(got[:10], want, strict=False)):
        assert tuple(hyp.tokens) == tokens and np.isclose(hyp.score, score, atol=1e-9), (
            f"seed {seed}, length_penalty={alpha}: rank {rank} should be {tokens} with score "
            f"{score:.6f}; your top 5: {_fmt(got)}; exhaustive top 5: {_fmt(want)}"
        )
        assert np.isclose(hyp.log_prob, log_prob, atol=1e-9), (
            f"log_prob of {tokens} should be the sum of its token log-probs {log_prob:.6f}, "
            f"got {hyp.log_prob:.6f}"
        )
    assert lm.calls <= 4, f"step_fn must be called once per step (<= max_len=4), got {lm.calls}"


@pytest.mark.clause("top-k")
@pytest.mark.parametrize("seed", range(5))
def test_beam_width_one_is_greedy(impl: ModuleType, seed: int) -> None:
    lm = ToyLM(vocab=5, seed=10 + seed, temperature=1.0)
    got = impl.beam_search(lm, START, EOS, beam_width=1, max_len=6)
    tokens, log_prob = _greedy(lm, 6)
    assert len(got) == 1 and tuple(got[0].tokens) == tokens, (
        f"beam_width=1 must reproduce greedy decoding {tokens}, got {[h.tokens for h in got]}"
    )
    assert np.isclose(got[0].log_prob, log_prob), "greedy hypothesis log_prob differs"


@pytest.mark.clause("top-k", "sum-log-probs")
def test_beam_finds_what_greedy_misses(impl: ModuleType) -> None:
    # greedy takes 1 (0.6) then is stuck with a flat tail; 2 (0.4) then eos (0.9) is better
    table = {
        (): {1: 0.6, 2: 0.4},
        (1,): {0: 0.3, 1: 0.35, 2: 0.35},
        (2,): {0: 0.9, 1: 0.1},
        (1, 1): {0: 1.0},
        (1, 2): {0: 1.0},
        (2, 1): {0: 1.0},
    }
    lm = TableLM(table, vocab=3)
    greedy = impl.beam_search(lm, START, EOS, beam_width=1, max_len=3)
    beam = impl.beam_search(lm, START, EOS, beam_width=2, max_len=3)
    assert tuple(greedy[0].tokens) == (1, 1, 0), f"greedy should give (1, 1, 0), got {greedy}"
    assert tuple(beam[0].tokens) == (2, 0), (
        "with beam_width=2 the best sequence is (2, 0): p = 0.4 * 0.9 = 0.36 beats every "
        f"continuation of 1 (at most 0.6 * 0.35); got {[h.tokens for h in beam]}"
    )
    assert np.isclose(beam[0].log_prob, np.log(0.36)), "log_prob of (2, 0) must be log(0.36)"


@pytest.mark.clause("finished-leave", "stop")
def test_eos_ends_a_hypothesis(impl: ModuleType) -> None:
    lm = ToyLM(vocab=4, seed=5, temperature=0.5)  # flat-ish: eos is often in the beam
    lm.max_len = 5
    got = impl.beam_search(lm, START, EOS, beam_width=3, max_len=5, length_penalty=0.5)
    for hyp in got:
        tokens = tuple(hyp.tokens)
        assert EOS not in tokens[:-1], f"{tokens}: nothing may follow eos"
        assert tokens[-1] == EOS or len(tokens) == 5, (
            f"{tokens}: a hypothesis ends with eos or at max_len=5 tokens"
        )


@pytest.mark.clause("score", "length")
def test_length_penalty_normalises_scores(impl: ModuleType) -> None:
    # (0,) has p = 0.35 (log -1.05); (1, 1, 0) has p = 0.65 * 0.9 * 0.55 = 0.32 (log -1.13 in
    # total but -0.38 per token)
    table = {(): {0: 0.35, 1: 0.65}, (1,): {1: 0.9, 0: 0.1}, (1, 1): {0: 0.55, 1: 0.45}}
    lm = TableLM(table, vocab=2)
    raw = impl.beam_search(lm, START, EOS, beam_width=3, max_len=3, length_penalty=0.0)
    norm = impl.beam_search(lm, START, EOS, beam_width=3, max_len=3, length_penalty=1.0)
    assert tuple(raw[0].tokens) == (0,), (
        f"length_penalty=0 ranks by the raw sum: (0,) with log(0.35) = {np.log(0.35):.3f} beats "
        f"(1, 1, 0) with {np.log(0.65 * 0.9 * 0.55):.3f}; got {[h.tokens for h in raw]}"
    )
    assert tuple(norm[0].tokens) == (1, 1, 0), (
        "length_penalty=1 ranks by log_prob / length: (1, 1, 0) scores "
        f"{np.log(0.65 * 0.9 * 0.55) / 3:.3f} per token vs {np.log(0.35):.3f} for (0,); got "
        f"{[(h.tokens, round(h.score, 3)) for h in norm]}"
    )
    for hyp in norm:
        want = hyp.log_prob / len(hyp.tokens)
        assert np.isclose(hyp.score, want), (
            f"{hyp.tokens}: score must be log_prob / len(tokens) ** 1 = {want:.4f} (len counts "
            f"generated tokens incl. eos, not the start token), got {hyp.score:.4f}"
        )


@pytest.mark.clause("finished-leave")
def test_finished_hypotheses_do_not_occupy_the_beam(impl: ModuleType) -> None:
    # step 1: (0,) finishes at once (-0.1); 1 stays live. Both beam slots must then go to live
    # continuations of 1, so (1, 2, 0) is found; keeping (0,) in the beam loses it.
    table = {
        (): {0: 0.9, 1: 0.08, 2: 0.02},
        (1,): {1: 0.5, 2: 0.4, 0: 0.1},
        (1, 1): {1: 0.6, 0: 0.4},
        (1, 2): {0: 1.0},
    }
    lm = TableLM(table, vocab=3)
    got = impl.beam_search(lm, START, EOS, beam_width=2, max_len=3)
    tokens = [tuple(h.tokens) for h in got]
    assert tokens == [(0,), (1, 2, 0)], (
        "beam_width=2: after step 1 (0,) is finished and leaves the beam, so step 2 keeps (1, 1) "
        "and (1, 2), and step 3 finishes (1, 2, 0) (p = 0.08 * 0.4 * 1.0) which beats "
        f"(1, 1, 0) and (1, 1, 1); expected [(0,), (1, 2, 0)], got {tokens}"
    )


@pytest.mark.clause("truncated")
def test_hypotheses_still_open_at_max_len_are_returned(impl: ModuleType) -> None:
    lm = TableLM({(): {1: 0.7, 2: 0.3}, (1,): {1: 0.5, 2: 0.5}, (2,): {1: 1.0}}, vocab=3)
    got = impl.beam_search(lm, START, EOS, beam_width=2, max_len=2)
    tokens = sorted(tuple(h.tokens) for h in got)
    assert tokens == [(1, 1), (1, 2)], (
        "this model never emits eos: the 2 hypotheses still live after max_len=2 steps, (1, 1) "
        f"and (1, 2) (p = 0.35 each, beating (2, 1) at 0.3), must be returned; got {tokens}"
    )


@pytest.mark.clause("sum-log-probs")
def test_log_probs_are_summed_not_multiplied(impl: ModuleType) -> None:
    lm = ToyLM(vocab=3, seed=7, shift=400.0)  # every token costs ~-400: probabilities underflow
    lm.max_len = 3
    want = _exhaustive(lm, 3, 0.0)
    got = impl.beam_search(lm, START, EOS, beam_width=27, max_len=3)
    assert [tuple(h.tokens) for h in got[:5]] == [w[0] for w in want[:5]], (
        "with log-probs around -400 per token, probabilities underflow to 0 (exp(-1200) == 0.0): "
        f"add log-probs instead. Expected top 5 {[w[0] for w in want[:5]]}, got "
        f"{[tuple(h.tokens) for h in got[:5]]}"
    )
    assert np.isfinite(got[0].log_prob) and got[0].log_prob < -400, (
        f"log_prob must be the finite sum of log-probs (about -400 per token), "
        f"got {got[0].log_prob}"
    )


@pytest.mark.clause("sizes")
@pytest.mark.parametrize(("beam_width", "max_len"), [(0, 3), (2, 0)])
def test_invalid_sizes_raise(impl: ModuleType, beam_width: int, max_len: int) -> None:
    with pytest.raises(ValueError):
        impl.beam_search(ToyLM(3, 0), START, EOS, beam_width, max_len)
        pytest.fail(f"beam_width={beam_width}, max_len={max_len} must raise ValueError")


# -- judged against the reference -------------------------------------------------------------
class TiedLM:
    """Log-probs from a small set of dyadic values (sums are exact, so ties are real ties),
    ``-inf`` included; records every call."""

    LEVELS = (0.0, -0.5, -1.0, -2.0, -np.inf)

    def __init__(self, vocab: int, seed: int) -> None:
        self.vocab, self.seed = vocab, seed
        self.calls: list[list[tuple[int, ...]]] = []

    def __call__(self, prefixes: list[tuple[int, ...]]) -> np.ndarray:
        self.calls.append([tuple(p) for p in prefixes])
        rows = []
        for p in prefixes:
            key = zlib.crc32(repr((self.seed, tuple(p))).encode())
            picks = np.random.default_rng(key).integers(0, len(self.LEVELS), self.vocab)
            rows.append(np.array([self.LEVELS[i] for i in picks]))
        return np.stack(rows).reshape(len(prefixes), self.vocab)


def _started(impl: ModuleType) -> None:
    """Raise the stub's NotImplementedError before comparing: a stub is *not started*, not
    *wrong*, even on inputs where the reference raises."""
    impl.beam_search(TiedLM(2, 0), START, EOS, 1, 1)


def _story(mod: ModuleType, vocab, seed, beam_width, max_len, alpha, eos):
    lm = TiedLM(vocab, seed)
    hyps = mod.beam_search(lm, START, eos, beam_width, max_len, length_penalty=alpha)
    plain = [(tuple(int(t) for t in h.tokens), float(h.log_prob), float(h.score)) for h in hyps]
    return plain, lm.calls


@pytest.mark.clause(
    "step-fn-batch", "sum-log-probs", "length", "top-k", "ties", "no-inf", "finished-leave",
    "stop", "truncated", "score", "returns", "final-ties", "sizes",
)  # fmt: skip
@given(
    vocab=st.integers(1, 4),
    seed=st.integers(0, 10_000),
    beam_width=st.integers(0, 5),
    max_len=st.integers(0, 4),
    alpha=st.sampled_from([0.0, 1.0, 0.5, 2.0]),
    eos=st.sampled_from([EOS, EOS, 1, 7]),  # 7: never generated, every hypothesis is truncated
)
@example(vocab=2, seed=0, beam_width=2, max_len=3, alpha=0.0, eos=EOS)
@example(vocab=3, seed=3, beam_width=1, max_len=0, alpha=0.0, eos=EOS)
def test_beam_search_agrees_with_the_reference(
    impl: ModuleType, reference: ModuleType, vocab, seed, beam_width, max_len, alpha, eos
) -> None:
    """The log-probs are dyadic, so sums are exact and ties are real: the tie rules decide.
    Scores divide by ``n ** alpha`` (an ulp of rounding allowed). The calls to step_fn (which
    prefixes, in which order, how many calls) are part of the spec and compared too."""
    _started(impl)
    diff.assert_same(
        lambda: _story(impl, vocab, seed, beam_width, max_len, alpha, eos),
        lambda: _story(reference, vocab, seed, beam_width, max_len, alpha, eos),
        rtol=1e-14,
    )


@pytest.mark.clause("returns")
def test_returns_hypothesis_tuples(impl: ModuleType) -> None:
    got = impl.beam_search(TiedLM(3, 1), START, EOS, 3, 3)
    assert isinstance(got, list) and all(isinstance(h, impl.Hypothesis) for h in got), (
        f"beam_search returns a list of Hypothesis(tokens, log_prob, score), got {got!r}"
    )
    assert len(got) <= 3, f"at most beam_width=3 hypotheses, got {len(got)}"


@pytest.mark.clause("final-ties")
def test_equal_scores_keep_the_finishing_order(impl: ModuleType) -> None:
    # (2, 0) and (1, 0) both have p = 0.25, and (1, 1) is truncated with p = 0.25 too
    table = {(): {1: 0.5, 2: 0.5}, (1,): {0: 0.5, 1: 0.5}, (2,): {0: 0.5, 2: 0.5}}
    lm = TableLM(table, vocab=3)
    got = [tuple(h.tokens) for h in impl.beam_search(lm, START, EOS, 4, 2)]
    assert got == [(1, 0), (2, 0), (1, 1), (2, 2)], (
        "four hypotheses tie at p = 0.25: they keep the order in which they finished (step 2 "
        "keeps (1, 0), (1, 1), (2, 0), (2, 2) in that order; (1, 0) and (2, 0) finish with eos, "
        f"(1, 1) and (2, 2) are truncated at max_len and come last); got {got}"
    )


@pytest.mark.clause("complexity", "step-fn-batch")
@pytest.mark.parametrize("beam_width", [1, 3])
def test_step_fn_calls_are_bounded(impl: ModuleType, beam_width: int) -> None:
    lm = ToyLM(vocab=50, seed=4, temperature=0.3)
    calls: list[int] = []

    def spy(prefixes: list[tuple[int, ...]]) -> np.ndarray:
        calls.append(len(prefixes))
        return lm(prefixes)

    impl.beam_search(spy, START, EOS, beam_width, max_len=6)
    assert len(calls) <= 6 and max(calls) <= beam_width, (
        f"beam_width={beam_width}, max_len=6: at most 6 calls to step_fn with at most "
        f"{beam_width} prefixes each; yours made {len(calls)} calls of sizes {calls}"
    )

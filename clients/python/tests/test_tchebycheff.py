"""Tchebycheff scalarisation (issue 13 item 4) through the Python client, sync and asyncio, against the real
service: each value is recomputed here from its formula."""

import asyncio
import math

import numpy as np
import pytest

from rewardweighting import AsyncRewardWeighting, InvalidArgumentError

NAMES = ["accuracy", "conciseness", "clarity"]
WEIGHTS = np.array([0.5, 0.25, 0.25])


def tchebycheff(rewards, ideal, mu=None):
    gaps = WEIGHTS * (np.asarray(ideal) - np.asarray(rewards))
    if mu is None:
        return -gaps.max(axis=1)
    return -mu * np.log(np.exp(gaps / mu).sum(axis=1))


def test_a_tchebycheff_run_tracks_its_ideal_point_and_scalarises_by_the_formula(client, run_id):
    run = client.create_run(run_id, NAMES, weights=WEIGHTS, scalarization="tchebycheff")
    assert run.info().config["scalarization"] == "SCALARIZATION_FUNCTION_TCHEBYCHEFF"
    first = np.array([[0.2, 0.9, 0.4], [0.6, 0.1, 0.5]])
    out = run.scalarize(1, first)
    np.testing.assert_array_equal(out.ideal_point, [0.6, 0.9, 0.5])
    np.testing.assert_allclose(out.rewards, tchebycheff(first, [0.6, 0.9, 0.5]), rtol=0, atol=1e-15)
    assert (out.rewards <= 0).all()
    second = np.array([[0.8, 0.2, 0.1]])
    out2 = run.scalarize(2, second)
    np.testing.assert_array_equal(out2.ideal_point, [0.8, 0.9, 0.5])
    np.testing.assert_allclose(out2.rewards, tchebycheff(second, [0.8, 0.9, 0.5]), atol=1e-15)
    # A validation batch is measured against the ideal point but never moves it.
    probe = run.scalarize(3, np.array([[5.0, 5.0, 5.0]]), validation=True)
    np.testing.assert_array_equal(probe.ideal_point, [5.0, 5.0, 5.0])
    np.testing.assert_array_equal(run.scalarize(3, second).ideal_point, [0.8, 0.9, 0.5])


def test_smooth_tchebycheff_with_a_declared_ideal_point(client, run_id):
    run = client.create_run(run_id, NAMES, weights=WEIGHTS, scalarization="smooth_tchebycheff", smoothing=0.2,
                            ideal_point=[1, 1, 1])
    rewards = np.array([[0.5, 1.0, 1.0], [1.0, 0.0, 1.0], [0.3, 0.3, 0.3]])
    out = run.scalarize(1, rewards)
    np.testing.assert_array_equal(out.ideal_point, [1, 1, 1])
    np.testing.assert_allclose(out.rewards, tchebycheff(rewards, [1, 1, 1], mu=0.2), rtol=1e-13)
    plain = tchebycheff(rewards, [1, 1, 1])
    assert (out.rewards <= plain + 1e-15).all() and (out.rewards >= plain - 0.2 * math.log(3) - 1e-12).all()
    # Linear runs answer no ideal point.
    linear = client.create_run(f"{run_id}-linear", NAMES, weights=WEIGHTS)
    assert linear.scalarize(1, rewards).ideal_point is None


def test_the_asyncio_client_takes_the_same_options(server, run_id):
    async def main():
        async with AsyncRewardWeighting(server.address) as client:
            run = await client.create_run(run_id, NAMES, weights=WEIGHTS, scalarization="tchebycheff",
                                          ideal_point=[1, 1, 1])
            return await run.scalarize(1, np.array([[0.5, 0.5, 0.5]]))

    out = asyncio.run(main())
    np.testing.assert_allclose(out.rewards, [-0.25])


@pytest.mark.parametrize("options, field", [
    ({"scalarization": "tchebycheff", "smoothing": 0.1}, "config.smoothing"),
    ({"scalarization": "linear", "ideal_point": [1, 1, 1]}, "config.ideal_point"),
    ({"scalarization": "tchebycheff", "ideal_point": [1, 1]}, "config.ideal_point"),
    ({"scalarization": "tchebycheff", "normalization": "group"}, "config.scalarization"),
])
def test_bad_options_name_their_field(client, run_id, options, field):
    with pytest.raises(InvalidArgumentError) as raised:
        client.create_run(run_id, NAMES, **options)
    assert raised.value.field == field
    with pytest.raises(ValueError, match="scalarization"):
        client.create_run(f"{run_id}-x", NAMES, scalarization="chebyshev")

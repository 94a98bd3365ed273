"""The asyncio client (grpc.aio) against the real server: the same numbers as the synchronous one."""

import asyncio

import numpy as np
import pytest

from rewardweighting import AlreadyExistsError, AsyncRewardWeighting, InvalidArgumentError, NotFoundError

from reference import meta_reward, mirror_descent, polynomial_lr


def test_async_client_runs_every_call(server, run_id):
    async def scenario():
        async with AsyncRewardWeighting(server.address) as client:
            run = await client.create_run(run_id, [("acc", "max"), ("len", "min")], method="gradient",
                                          eta=0.01, mu=0.1, schedule="polynomial", total_steps=20)
            assert run.created
            expected = np.array([0.5, 0.5])
            for step in range(1, 6):
                gram = np.array([[1.0 + step, 0.3], [0.3, 0.5]])
                result = await run.report_gradients(step, gram)
                expected = mirror_descent(expected, gram, polynomial_lr(0.01, step, 20), 0.1)
                np.testing.assert_allclose(result.weights, expected, rtol=1e-12)
            # 8 concurrent scalarisations of different batches of one step
            batches = [np.random.default_rng(i).uniform(size=(16, 2)) for i in range(8)]
            outs = await asyncio.gather(*(run.scalarize(5, b) for b in batches))
            for batch, out in zip(batches, outs):
                np.testing.assert_allclose(out.rewards, batch @ expected, rtol=1e-12)
            checkpoint = await run.report_checkpoint(5, {"len": 100.0, "acc": 0.5})
            assert checkpoint.became_reference_point
            better = await run.report_checkpoint(6, [0.6, 90.0])
            assert better.hypervolume_contribution == pytest.approx(0.1 * 10.0)
            assert better.r_pareto == 1.0  # a gradient run tracks the buffer; r_pareto stays 1
            assert meta_reward(better.hypervolume_contribution) > 1.0
            resumed = await run.resume(3)
            assert resumed.state.last_gradients_step == 3
            kinds = []
            async for event in run.watch(1):
                kinds.append((event.kind, event.step, event.superseded))
                if len(kinds) == 7:
                    break
            assert kinds[:4] == [
                ("created", 0, False), ("gradients", 1, False), ("gradients", 2, False), ("gradients", 3, False)]
            assert kinds[4:6] == [("gradients", 4, True), ("gradients", 5, True)]
            runs = [r.run_id async for r in client.list_runs() if r.run_id == run_id]
            assert runs == [run_id]
            state = await run.archive("done")
            assert state.status == "archived"
            with pytest.raises(NotFoundError):
                await client.get_run(run_id + "-missing")
            with pytest.raises(InvalidArgumentError) as raised:
                await client.create_run(run_id + "-bad", ["a", "a"])
            assert raised.value.field == "config.objectives[1].name"
            with pytest.raises(AlreadyExistsError):
                await client.create_run(run_id, ["x", "y"])

    asyncio.run(scenario())

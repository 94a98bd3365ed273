"""Every client method against the real rw-server, with the numbers recomputed independently."""

import threading

import numpy as np
import pytest

from rewardweighting import (
    AlreadyExistsError,
    FailedPreconditionError,
    InvalidArgumentError,
    NotFoundError,
    RewardWeighting,
)

from reference import hypervolume_brute_force, meta_reward, mirror_descent, polynomial_lr

OBJECTIVES = [("accuracy", "max"), ("length", "min"), ("clarity", "max")]


def test_create_run_returns_the_run_and_is_idempotent(client, run_id):
    run = client.create_run(run_id, OBJECTIVES, method="fixed", weights=[0.5, 0.25, 0.25])
    assert run.created is True
    again = client.create_run(run_id, OBJECTIVES, method="fixed", weights=[0.5, 0.25, 0.25])
    assert again.created is False
    info = again.info()
    assert info.run_id == run_id
    assert info.method == "fixed"
    assert [(o.name, o.direction) for o in info.objectives] == OBJECTIVES
    np.testing.assert_allclose(info.state.weights, [0.5, 0.25, 0.25])
    assert info.state.status == "active"
    assert info.created_at is not None

    with pytest.raises(AlreadyExistsError) as raised:
        client.create_run(run_id, OBJECTIVES, method="fixed", weights=[0.25, 0.5, 0.25])
    assert raised.value.status == "ALREADY_EXISTS"


def test_get_run_and_list_runs_page_through_every_run(client, run_id):
    ids = [f"{run_id}-{i}" for i in range(5)]
    for i in ids:
        client.create_run(i, ["a", "b"])
    client.run(ids[0]).archive("done")
    listed = [r.run_id for r in client.list_runs(page_size=2) if r.run_id.startswith(run_id)]
    assert listed == sorted(ids)
    archived = [r.run_id for r in client.list_runs(status="archived", page_size=2) if r.run_id.startswith(run_id)]
    assert archived == [ids[0]]
    active = [r.run_id for r in client.list_runs(status="active") if r.run_id.startswith(run_id)]
    assert active == ids[1:]
    assert client.get_run(ids[1]).state.status == "active"


def test_scalarize_is_the_weighted_sum_of_each_row(client, run_id):
    weights = np.array([0.5, 0.25, 0.25])
    run = client.create_run(run_id, OBJECTIVES, weights=weights)
    rewards = np.random.default_rng(1).normal(size=(64, 3))
    out = run.scalarize(1, rewards)
    np.testing.assert_allclose(out.rewards, rewards @ weights, rtol=0, atol=1e-12)
    np.testing.assert_allclose(out.weights, weights)
    assert out.r_pareto == 1.0
    assert out.sequence > 0
    assert run.state.last_scalarize_step == 1


def test_scalarize_with_group_normalisation_standardises_each_objective_per_group(client, run_id):
    run = client.create_run(run_id, ["a", "b"], weights=[0.75, 0.25], normalization="group")
    rng = np.random.default_rng(2)
    rewards = rng.uniform(size=(12, 2))
    uids = ["p0", "p1", "p2"] * 4  # verl-style string uids, rows of a group not contiguous
    out = run.scalarize(1, rewards, group_ids=uids)
    expected = np.empty(12)
    groups = np.array(uids)
    normalised = np.empty_like(rewards)
    for g in set(uids):
        rows = groups == g
        block = rewards[rows]
        normalised[rows] = (block - block.mean(axis=0)) / (block.std(axis=0, ddof=1) + 1e-6)
    expected = normalised @ np.array([0.75, 0.25])
    np.testing.assert_allclose(out.rewards, expected, atol=1e-12)

    with pytest.raises(InvalidArgumentError) as raised:
        run.scalarize(2, rewards)
    assert raised.value.field == "group_ids"


def test_validation_scalarize_records_nothing(client, run_id):
    run = client.create_run(run_id, ["a", "b"])
    out = run.scalarize(7, np.ones((3, 2)), validation=True)
    np.testing.assert_allclose(out.rewards, [1.0, 1.0, 1.0])
    assert run.state.last_scalarize_step is None


@pytest.mark.parametrize("payload", ["gram", "gradients", "positional-gradients", "torch-gram"])
def test_gradient_weights_follow_mirror_descent(client, run_id, payload):
    if payload == "torch-gram":
        torch = pytest.importorskip("torch")
    eta, mu, total = 1e-3, 1e-2, 30
    run = client.create_run(run_id, OBJECTIVES, method="gradient", eta=eta, mu=mu, schedule="polynomial",
                            total_steps=total)
    rng = np.random.default_rng(3)
    expected = np.full(3, 1 / 3)
    for step in range(1, 21):
        gradients = rng.normal(size=(3, 50))
        gram = gradients @ gradients.T
        if payload == "gram":
            result = run.report_gradients(step, gram)
        elif payload == "gradients":
            result = run.report_gradients(step, gradients=list(gradients))
        elif payload == "positional-gradients":
            result = run.report_gradients(step, gradients)  # 3×50: not square, so gradients
        else:
            from rewardweighting import gram_from_gradients

            result = run.report_gradients(step, gram_from_gradients([torch.tensor(g) for g in gradients]))
        lr = polynomial_lr(eta, step, total)
        expected = mirror_descent(expected, gram, lr, mu)
        assert result.weights_updated
        assert result.learning_rate == pytest.approx(lr, rel=1e-12)
        np.testing.assert_allclose(result.influence, gram.sum(axis=1), rtol=1e-10)
        np.testing.assert_allclose(result.weights, expected, rtol=1e-10, atol=0)
        # the new weights scalarise this very step (Alg. 2)
        out = run.scalarize(step, np.eye(3))
        np.testing.assert_allclose(out.rewards, expected, rtol=1e-12)


def test_reported_learning_rate_overrides_the_schedule(client, run_id):
    run = client.create_run(run_id, ["a", "b"], method="gradient", eta=1.0, mu=1.0, total_steps=10)
    gram = np.array([[1.0, 0.0], [0.0, 0.0]])
    result = run.report_gradients(1, gram, learning_rate=0.5)
    assert result.learning_rate == 0.5
    np.testing.assert_allclose(result.weights, mirror_descent([0.5, 0.5], gram, 0.5, 1.0), rtol=1e-12)


def test_a_retried_step_never_applies_twice(client, run_id):
    run = client.create_run(run_id, ["a", "b"], method="gradient", eta=0.1, mu=1.0, total_steps=10)
    gram = np.array([[2.0, 0.5], [0.5, 1.0]])
    first = run.report_gradients(1, gram)
    retried = run.report_gradients(1, gram)
    np.testing.assert_array_equal(first.weights, retried.weights)
    assert first.sequence == retried.sequence > 0
    assert run.state.last_sequence == first.sequence
    with pytest.raises(AlreadyExistsError) as raised:
        run.report_gradients(1, gram * 2)
    assert raised.value.field == "step"
    run.report_gradients(2, gram)
    with pytest.raises(FailedPreconditionError) as raised:
        run.report_gradients(1, gram * 3)
    assert raised.value.field == "step"


def test_checkpoints_follow_the_hypervolume_algorithm(client, run_id):
    directions = np.array([1.0, -1.0, 1.0])  # length is minimised
    run = client.create_run(run_id, OBJECTIVES, method="hypervolume", weights=[0.5, 0.25, 0.25])
    rng = np.random.default_rng(4)
    initial = np.array([0.3, 300.0, 0.2])
    first = run.report_checkpoint(0, initial)
    assert first.became_reference_point and first.r_pareto == 1.0
    reference = initial * directions
    front = []
    for step in range(10, 110, 10):
        scores = initial + np.array([rng.uniform(-0.1, 0.4), rng.uniform(-150, 60), rng.uniform(-0.1, 0.4)])
        result = run.report_checkpoint(step, scores)
        before = hypervolume_brute_force(front, reference)
        after = hypervolume_brute_force(front + [scores * directions], reference)
        delta = max(after - before, 0.0)
        assert result.hypervolume_contribution == pytest.approx(delta, rel=1e-9, abs=1e-9)
        assert result.r_pareto == pytest.approx(meta_reward(delta), rel=1e-12)
        assert result.entered_buffer == (delta > 0)
        if delta > 0:
            front.append(scores * directions)
        assert result.buffer.hypervolume == pytest.approx(hypervolume_brute_force(front, reference), rel=1e-9)
        # r_pareto multiplies the scalarised rewards of the steps after the checkpoint
        rewards = np.array([[1.0, 0.0, 1.0]])
        out = run.scalarize(step + 1, rewards)
        assert out.r_pareto == result.r_pareto and out.r_pareto_step == step
        np.testing.assert_allclose(out.rewards, result.r_pareto * rewards @ [0.5, 0.25, 0.25], rtol=1e-12)
    assert {p.step for p in run.state.buffer.points} <= set(range(10, 110, 10))


def test_resume_rewinds_to_the_saved_step(client, run_id):
    run = client.create_run(run_id, ["a", "b"], method="gradient", eta=0.1, mu=1.0, total_steps=10)
    grams = [np.array([[1.0 + s, 0.2], [0.2, 0.5]]) for s in range(6)]
    weights_after = {}
    for step in range(1, 6):
        weights_after[step] = run.report_gradients(step, grams[step]).weights
    resumed = run.resume(3)
    assert resumed.superseded_events == 2
    np.testing.assert_allclose(resumed.state.weights, weights_after[3])
    assert resumed.state.last_gradients_step == 3
    # step 4 may now be reported with another payload (new samples after the restart)
    redo = run.report_gradients(4, grams[0])
    np.testing.assert_allclose(redo.weights, mirror_descent(weights_after[3], grams[0], 0.1, 1.0), rtol=1e-12)


def test_archive_stops_reports_and_ends_watch_streams(client, run_id):
    run = client.create_run(run_id, ["a", "b"])
    run.scalarize(1, np.ones((2, 2)))
    state = run.archive("finished")
    assert state.status == "archived"
    with pytest.raises(FailedPreconditionError):
        run.scalarize(2, np.ones((2, 2)))
    events = list(run.watch(1))  # the log so far, then the stream ends because the run is archived
    assert [e.kind for e in events] == ["created", "scalarize", "archived"]
    assert events[-1].decision["reason"] == "finished"
    assert events[-1].sequence == state.last_sequence


def test_watch_streams_the_log_then_live_decisions(client, run_id):
    run = client.create_run(run_id, ["a", "b"], method="gradient", eta=0.1, mu=1.0, total_steps=10)
    run.report_gradients(1, np.eye(2))
    seen = []
    ready = threading.Event()

    def report_more():
        ready.wait(10)
        other = RewardWeighting(client.target)
        other.run(run_id).report_gradients(2, np.eye(2) * 2)
        other.run(run_id).report_checkpoint(2, [0.5, 0.5])
        other.close()

    thread = threading.Thread(target=report_more)
    thread.start()
    for event in run.watch(1):
        seen.append(event)
        ready.set()
        if len(seen) == 4:
            break
    thread.join()
    assert [(e.kind, e.step) for e in seen] == [
        ("created", 0), ("gradients", 1), ("gradients", 2), ("checkpoint", 2)]
    assert [e.sequence for e in seen] == [1, 2, 3, 4]
    np.testing.assert_allclose(seen[2].decision["weights"], run.state.weights)
    assert seen[2].decision["weights_updated"] is True


def test_errors_carry_status_and_field(client, run_id):
    with pytest.raises(NotFoundError) as raised:
        client.get_run(run_id)
    assert raised.value.status == "NOT_FOUND" and raised.value.field == "run_id"

    run = client.create_run(run_id, ["a", "b"])
    bad = np.ones((3, 2))
    bad[1, 1] = np.nan
    with pytest.raises(InvalidArgumentError) as raised:
        run.scalarize(1, bad)
    assert raised.value.field == "rewards.values[3]"
    assert "rewards.values[3]" in str(raised.value) and raised.value.method == "Scalarize"

    with pytest.raises(InvalidArgumentError) as raised:
        client.create_run(run_id + "-w", ["a", "b"], weights=[-0.1, 1.1])
    assert raised.value.field == "config.initial_weights"

    with pytest.raises(InvalidArgumentError) as raised:
        client.create_run("bad id!", ["a", "b"])
    assert raised.value.field == "run_id"

    with pytest.raises(FailedPreconditionError):
        run.report_gradients(1, np.eye(2))  # a fixed-weights run takes no gradients

    with pytest.raises(ValueError, match="rewards"):
        run.scalarize(1, np.ones(4))  # caught in the client: not N×K
    with pytest.raises(ValueError, match="eta, mu"):
        client.create_run(run_id + "-g", ["a"], method="gradient")
    assert run.state.last_scalarize_step is None  # nothing was recorded by the refused calls


def test_scores_and_rewards_may_be_given_by_objective_name(client, run_id):
    run = client.create_run(run_id, OBJECTIVES, method="hypervolume", weights=[0.5, 0.25, 0.25])
    first = run.report_checkpoint(0, {"clarity": 0.2, "accuracy": 0.3, "length": 300.0})
    np.testing.assert_array_equal(first.buffer.reference_point, [0.3, 300.0, 0.2])
    out = run.scalarize(1, {"length": [0.0, 1.0], "accuracy": [1.0, 0.0], "clarity": [1.0, 1.0]})
    np.testing.assert_allclose(out.rewards, [0.5 + 0.25, 0.25 + 0.25])
    with pytest.raises(ValueError, match="objectives"):
        run.report_checkpoint(1, {"accuracy": 0.4, "length": 280.0})


def test_scalarize_retry_rule(client, run_id):
    """ScalarizeRequest's rule from Python: a retry records nothing, another batch at the step is a new
    summary, older steps and step 0 are accepted, validation batches are never recorded."""
    run = client.create_run(run_id, ["a", "b"])
    first = run.scalarize(5, [[1.0, 0.0], [0.0, 1.0]])
    assert run.scalarize(5, [[1.0, 0.0], [0.0, 1.0]]).sequence == first.sequence
    other = run.scalarize(5, [[0.5, 0.5]])
    assert other.sequence == first.sequence + 1
    older = run.scalarize(2, [[0.5, 0.5]])
    zero = run.scalarize(0, [[0.5, 0.5]])
    assert (older.sequence, zero.sequence) == (other.sequence + 1, other.sequence + 2)
    assert run.scalarize(9, [[0.5, 0.5]], validation=True).sequence == 0
    assert run.state.last_sequence == zero.sequence


def test_lifecycle_events(client, run_id):
    """CreateRun, ResumeRun and ArchiveRun are events of the log: a live watcher learns of a rewind from the
    resumed event and can mark the events it saw with a later step superseded, as the proto says."""
    run = client.create_run(run_id, ["a", "b"], method="gradient", eta=0.1, mu=1.0, total_steps=10)
    assert run.state.last_sequence == 1
    seen = []
    subscribed = threading.Event()

    def watch_live():
        watcher = RewardWeighting(client.target)
        for event in watcher.run(run_id).watch(1):  # the creation from the log, then live; ends at the archive
            seen.append(event)
            subscribed.set()
        watcher.close()

    thread = threading.Thread(target=watch_live)
    thread.start()
    assert subscribed.wait(10)  # the stream is open: every later event reaches it live
    for step in range(1, 6):
        run.report_gradients(step, np.array([[1.0 + step, 0.2], [0.2, 0.5]]))
    first = run.resume(3)
    assert first.superseded_events == 2 and first.sequence == 1 + 5 + 1
    again = run.resume(3)  # a retry: nothing reported since, nothing rewound, nothing recorded
    assert again.superseded_events == 0 and again.sequence == first.sequence
    run.report_gradients(4, np.eye(2))
    second = run.resume(3)  # the trainer restarted from step 3 again: a second rewind
    assert second.superseded_events == 1 and second.sequence == first.sequence + 2
    run.archive("done")
    thread.join(10)

    assert seen[0].kind == "created"
    seen = seen[1:]
    assert [e.kind for e in seen] == ["gradients"] * 5 + ["resumed", "gradients", "resumed", "archived"]
    resumed = [e for e in seen if e.kind == "resumed"]
    assert [e.decision["superseded_events"] for e in resumed] == [2, 1]
    assert all(e.step == 3 and e.decision["from_step"] == 3 for e in resumed)
    np.testing.assert_allclose(resumed[0].decision["weights"], first.state.weights)
    assert seen[-1].decision["reason"] == "done"
    # The client-side rule gives the flags of the log read again.
    superseded = set()
    for event in seen:
        if event.kind == "resumed":
            superseded |= {e.sequence for e in seen if e.sequence < event.sequence and e.step > event.step}
    log = list(run.watch(1))
    assert log[0].kind == "created" and log[0].decision["weights"].tolist() == [0.5, 0.5]
    assert {e.sequence for e in log if e.superseded} == superseded

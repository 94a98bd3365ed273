"""`python -m rewardweighting`: list, show and watch a run."""

import json

import numpy as np

from rewardweighting.__main__ import main


def test_list_show_and_watch_a_run(client, server, run_id, capsys):
    run = client.create_run(run_id, [("accuracy", "max"), ("length", "min")], method="gradient", eta=0.1, mu=1.0,
                            total_steps=10)
    run.report_gradients(1, np.array([[1.0, 0.0], [0.0, 0.0]]))
    run.report_checkpoint(1, [0.5, 300.0])

    assert main(["--target", server.address, "list"]) == 0
    listed = [line for line in capsys.readouterr().out.splitlines() if line.startswith(run_id)]
    assert len(listed) == 1 and "gradient" in listed[0] and "events=3" in listed[0]

    assert main(["--target", server.address, "show", run_id]) == 0
    shown = capsys.readouterr().out
    assert "objectives: accuracy (max), length (min)" in shown
    assert "reference [0.5, 300] (step 1)" in shown

    assert main(["--target", server.address, "--json", "watch", run_id]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(e["kind"], e["step"]) for e in events] == [("created", 0), ("gradients", 1), ("checkpoint", 1)]
    np.testing.assert_allclose(events[1]["decision"]["weights"], run.state.weights)

    client.create_run(run_id + "-empty", ["a"])
    assert main(["--target", server.address, "watch", run_id + "-empty"]) == 0  # returns: only the creation
    assert [line.split()[3] for line in capsys.readouterr().out.splitlines()] == ["created:"]

    assert main(["--target", server.address, "show", run_id + "-missing"]) == 1
    assert "NOT_FOUND" in capsys.readouterr().err

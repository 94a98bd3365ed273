"""``python -m rewardweighting`` (or ``rewardweighting``): look at runs on a service from the shell.

    python -m rewardweighting list [--status active|archived]
    python -m rewardweighting show RUN_ID            # configuration, weights, r_pareto, Pareto buffer
    python -m rewardweighting watch RUN_ID [--from-sequence 1] [--follow]

``--target`` (default ``$RW_TARGET`` or 127.0.0.1:50051), ``--token`` (``$RW_TOKEN``) and, for admin tokens,
``--tenant`` (``$RW_TENANT``, sent as ``rw-tenant``) select the service and the tenant;
``--json`` prints JSON lines instead of text. Exit status 1 with the gRPC status on stderr when a call fails.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any, Optional, Sequence

import numpy as np

from .client import RewardWeighting
from .errors import RewardWeightingError
from .types import DecisionEvent, RunInfo


def _plain(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__ if k != "raw_config"}
    return value


def _fmt(values: Any) -> str:
    return "[" + ", ".join(f"{v:.6g}" for v in values) + "]"


def _show(info: RunInfo) -> str:
    s = info.state
    lines = [
        f"run {info.run_id} ({s.status}), method {info.method}, created {info.created_at}",
        "objectives: " + ", ".join(f"{o.name} ({o.direction})" for o in info.objectives),
        f"weights: {_fmt(s.weights)}   r_pareto: {s.r_pareto:.6g}",
        f"last steps: scalarize {s.last_scalarize_step}, gradients {s.last_gradients_step}, "
        f"checkpoint {s.last_checkpoint_step}; {s.last_sequence} events",
    ]
    b = s.buffer
    if b.reference_point is not None:
        lines.append(f"Pareto buffer: reference {_fmt(b.reference_point)} (step {b.reference_step}), "
                     f"hypervolume {b.hypervolume:.6g}, {len(b.points)} points")
        for p in b.points:
            lines.append(f"  step {p.step}: {_fmt(p.scores)}  exclusive HV {p.hypervolume_contribution:.6g}")
    return "\n".join(lines)


def _event(e: DecisionEvent) -> str:
    shown = {k: (_fmt(v) if isinstance(v, np.ndarray) else v) for k, v in e.decision.items()}
    flag = " (superseded)" if e.superseded else ""
    return f"#{e.sequence} step {e.step} {e.kind}{flag}: " + ", ".join(f"{k}={v}" for k, v in shown.items())


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="rewardweighting", description="Inspect runs on a RewardWeighting service.")
    parser.add_argument("--target", default=os.environ.get("RW_TARGET", "127.0.0.1:50051"))
    parser.add_argument("--token", default=os.environ.get("RW_TOKEN"))
    parser.add_argument("--tenant", default=os.environ.get("RW_TENANT"),
                        help="the tenant to act in (admin tokens; sent as rw-tenant)")
    parser.add_argument("--json", action="store_true", help="JSON lines instead of text")
    commands = parser.add_subparsers(dest="command", required=True)
    listing = commands.add_parser("list", help="all runs, in run-id order")
    listing.add_argument("--status", choices=["active", "archived"])
    show = commands.add_parser("show", help="a run's configuration and state")
    show.add_argument("run_id")
    watch = commands.add_parser("watch", help="a run's logged decisions")
    watch.add_argument("run_id")
    watch.add_argument("--from-sequence", type=int, default=1)
    watch.add_argument("--follow", action="store_true", help="keep streaming new decisions")
    args = parser.parse_args(argv)

    client = RewardWeighting(args.target, token=args.token, tenant=args.tenant)
    try:
        if args.command == "list":
            for info in client.list_runs(status=args.status):
                if args.json:
                    print(json.dumps(_plain(info)))
                else:
                    s = info.state
                    print(f"{info.run_id}\t{s.status}\t{info.method}\tweights={_fmt(s.weights)}\t"
                          f"r_pareto={s.r_pareto:.4g}\tevents={s.last_sequence}")
        elif args.command == "show":
            info = client.get_run(args.run_id)
            print(json.dumps(_plain(info)) if args.json else _show(info))
        else:
            last = client.get_run(args.run_id).state.last_sequence
            if not args.follow and last < max(args.from_sequence, 1):
                return 0  # nothing logged from there on, and not asked to wait
            for event in client.run(args.run_id).watch(args.from_sequence):
                print(json.dumps(_plain(event)) if args.json else _event(event), flush=True)
                if not args.follow and event.sequence >= last:
                    break
    except RewardWeightingError as error:
        print(f"rewardweighting: {error}", file=sys.stderr)
        return 1
    finally:
        client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

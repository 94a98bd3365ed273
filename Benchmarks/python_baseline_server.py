"""A plain Python grpcio + numpy server with the same durable write as rw-server's Scalarize: the baseline of
issue 18's Scalarize targets (docs/performance.md, "Server load").

    python3 Benchmarks/python_baseline_server.py --port-file FILE --database FILE [--port 0] [--threads 8]

It serves the three calls `load-generator --phases echo,scalarize` makes, with rw-server's messages
(`rewardweighting.v1`):

- `TrainerService/CreateRun` keeps the run's weights (the config's, else 1/K);
- `TrainerService/Scalarize` computes `rewards @ weights` with numpy and inserts one summary row per (run, step)
  into SQLite (WAL, `synchronous=FULL`, one transaction per call, `INSERT OR IGNORE` on the primary key, so a
  retry is not recorded twice) before it answers — the contract's "durable before it is answered";
- `BenchmarkService/Echo` answers a reply of the same size with no work, as rw-server's does.

Nothing else of the service is implemented: no policy, no validation beyond what numpy needs, no replay. It is a
floor for what a durable Scalarize costs in Python, not a second implementation.
"""

import argparse
import hashlib
import sqlite3
import threading
from concurrent import futures

import grpc
import numpy as np

from rewardweighting.v1 import trainer_pb2


class Baseline:
    def __init__(self, database: str) -> None:
        self.db = sqlite3.connect(database, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("CREATE TABLE IF NOT EXISTS summaries (run_id TEXT NOT NULL, step INTEGER NOT NULL, "
                        "rows INTEGER NOT NULL, digest BLOB NOT NULL, PRIMARY KEY (run_id, step))")
        self.lock = threading.Lock()
        self.weights = {}

    def create_run(self, request, context):
        config = request.config
        k = len(config.objectives)
        given = list(config.initial_weights)
        self.weights[request.run_id] = np.array(given if len(given) == k else [1.0 / k] * k)
        return trainer_pb2.CreateRunResponse(created=True)

    def scalarize(self, request, context):
        weights = self.weights.get(request.run_id)
        if weights is None:
            context.abort(grpc.StatusCode.NOT_FOUND, "run_id: no such run")
        k = request.rewards.num_objectives
        rewards = np.asarray(request.rewards.values, dtype=np.float64).reshape(-1, k)
        scalarized = rewards @ weights
        digest = hashlib.sha256(request.rewards.SerializeToString()).digest()
        with self.lock:
            cursor = self.db.execute("BEGIN IMMEDIATE")
            cursor.execute("INSERT OR IGNORE INTO summaries VALUES (?, ?, ?, ?)",
                           (request.run_id, request.step, len(rewards), digest))
            sequence = cursor.lastrowid
            self.db.execute("COMMIT")
        return trainer_pb2.ScalarizeResponse(scalarized_rewards=scalarized.tolist(), weights=weights.tolist(),
                                             r_pareto=1.0, sequence=sequence or 0)

    def echo(self, request, context):
        k = max(request.rewards.num_objectives, 1)
        values = request.rewards.values
        return trainer_pb2.ScalarizeResponse(scalarized_rewards=values[::k], weights=[1.0 / k] * k, r_pareto=1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    baseline = Baseline(args.database)
    unary = grpc.unary_unary_rpc_method_handler
    trainer = grpc.method_handlers_generic_handler("rewardweighting.v1.TrainerService", {
        "CreateRun": unary(baseline.create_run, request_deserializer=trainer_pb2.CreateRunRequest.FromString,
                           response_serializer=trainer_pb2.CreateRunResponse.SerializeToString),
        "Scalarize": unary(baseline.scalarize, request_deserializer=trainer_pb2.ScalarizeRequest.FromString,
                           response_serializer=trainer_pb2.ScalarizeResponse.SerializeToString),
    })
    benchmark = grpc.method_handlers_generic_handler("rewardweighting.v1.BenchmarkService", {
        "Echo": unary(baseline.echo, request_deserializer=trainer_pb2.ScalarizeRequest.FromString,
                      response_serializer=trainer_pb2.ScalarizeResponse.SerializeToString),
    })
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=args.threads),
                         options=[("grpc.max_receive_message_length", 64 << 20)])
    server.add_generic_rpc_handlers((trainer, benchmark))
    port = server.add_insecure_port(f"127.0.0.1:{args.port}")
    server.start()
    with open(args.port_file, "w") as f:
        f.write(f"{port}\n")
    server.wait_for_termination()


if __name__ == "__main__":
    main()

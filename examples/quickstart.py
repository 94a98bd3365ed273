"""Quick start: create a gradient-method run on a running `rw-server`, scalarise a batch, report gradients.

    pip install grpcio grpcio-tools numpy
    swift run rw-server &                 # gRPC on 127.0.0.1:50051
    python3 examples/quickstart.py        # or: python3 examples/quickstart.py 127.0.0.1:50051

It compiles the API contract (Protos/) with grpcio-tools into a temporary folder, so it needs nothing
else from the repository. (The packaged Python client is the next step; this is the raw API.)
"""

import importlib
import pathlib
import sys
import tempfile

import grpc
import numpy as np
from grpc_tools import protoc

PROTOS = pathlib.Path(__file__).resolve().parent.parent / "Protos"


def load_stubs():
    out = pathlib.Path(tempfile.mkdtemp(prefix="rw-stubs-"))
    include = pathlib.Path(protoc.__file__).parent / "_proto"
    files = [str(p.relative_to(PROTOS)) for p in (PROTOS / "rewardweighting" / "v1").glob("*.proto")]
    if protoc.main(["protoc", f"-I{PROTOS}", f"-I{include}", f"--python_out={out}", f"--grpc_python_out={out}", *files]):
        sys.exit("protoc failed")
    sys.path.insert(0, str(out))
    return (importlib.import_module("rewardweighting.v1.runs_pb2"),
            importlib.import_module("rewardweighting.v1.trainer_pb2"),
            importlib.import_module("rewardweighting.v1.trainer_pb2_grpc"))


def main(address: str) -> None:
    runs, trainer, trainer_grpc = load_stubs()
    stub = trainer_grpc.TrainerServiceStub(grpc.insecure_channel(address))

    config = runs.RunConfig(
        objectives=[runs.Objective(name="accuracy", direction=runs.OBJECTIVE_DIRECTION_MAXIMIZE),
                    runs.Objective(name="conciseness", direction=runs.OBJECTIVE_DIRECTION_MAXIMIZE),
                    runs.Objective(name="clarity", direction=runs.OBJECTIVE_DIRECTION_MAXIMIZE)],
        method=runs.WEIGHTING_METHOD_GRADIENT,
        gradient=runs.GradientSettings(
            learning_rate=1e-6, mu=1e-5,
            schedule=runs.LearningRateSchedule(kind=runs.SCHEDULE_KIND_POLYNOMIAL, total_steps=360)),
    )
    created = stub.CreateRun(trainer.CreateRunRequest(run_id="quickstart-demo", config=config))
    print("created:", created.created, "weights:", list(created.run.state.weights))

    rewards = np.random.default_rng(0).integers(0, 2, size=(8, 3)).astype(float)  # 8 responses × K = 3
    step = 1
    gram = np.array([[0.30, 0.12, 0.08], [0.12, 0.20, -0.12], [0.08, -0.12, 0.14]])
    updated = stub.ReportGradients(trainer.ReportGradientsRequest(
        run_id="quickstart-demo", step=step, gram=runs.GramMatrix(num_objectives=3, values=gram.ravel())))
    print("weights after step", step, ":", list(updated.weights))

    reply = stub.Scalarize(trainer.ScalarizeRequest(
        run_id="quickstart-demo", step=step, rewards=runs.RewardMatrix(num_objectives=3, values=rewards.ravel())))
    print("scalarised:", np.round(list(reply.scalarized_rewards), 4), "r_pareto:", reply.r_pareto)

    try:
        stub.Scalarize(trainer.ScalarizeRequest(
            run_id="quickstart-demo", step=step, rewards=runs.RewardMatrix(num_objectives=3, values=[1.0, 2.0])))
    except grpc.RpcError as error:
        print("bad input ->", error.code().name, ":", error.details())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "127.0.0.1:50051")

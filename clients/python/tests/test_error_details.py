"""The rich error model: every refused request carries a google.rpc.Status in its trailers, read here with
grpcio's own rich-status helper (grpc_status.rpc_status) on a raw stub, independently of the client."""

import grpc
import pytest
from google.rpc import error_details_pb2
from grpc_status import rpc_status

from rewardweighting import InvalidArgumentError
from rewardweighting.v1 import runs_pb2, trainer_pb2, trainer_pb2_grpc


def _details(error: grpc.RpcError):
    status = rpc_status.from_call(error)
    assert status is not None, "the status carries no grpc-status-details-bin trailer"
    bad_request, info = None, None
    for detail in status.details:
        if detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad_request = error_details_pb2.BadRequest()
            detail.Unpack(bad_request)
        elif detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
    return status, bad_request, info


@pytest.fixture
def stub(server):
    with grpc.insecure_channel(server.address) as channel:
        yield trainer_pb2_grpc.TrainerServiceStub(channel)


def test_an_invalid_argument_names_its_field_in_a_bad_request_detail(client, stub, run_id):
    client.create_run(run_id, ["a", "b"])
    rewards = runs_pb2.RewardMatrix(num_objectives=2, values=[1.0, 2.0, 3.0, float("nan")])
    with pytest.raises(grpc.RpcError) as raised:
        stub.Scalarize(trainer_pb2.ScalarizeRequest(run_id=run_id, step=1, rewards=rewards))
    assert raised.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    status, bad_request, info = _details(raised.value)
    assert status.code == grpc.StatusCode.INVALID_ARGUMENT.value[0]
    assert [v.field for v in bad_request.field_violations] == ["rewards.values[3]"]
    assert "finite" in bad_request.field_violations[0].description
    # The message is the field and the violation's description.
    assert status.message == f"rewards.values[3]: {bad_request.field_violations[0].description}"
    assert info.reason == "INVALID_ARGUMENT" and info.domain == "rewardweighting.v1"
    assert info.metadata["field"] == "rewards.values[3]"


def test_other_statuses_name_their_field_in_error_info(stub, run_id):
    with pytest.raises(grpc.RpcError) as raised:
        stub.GetRun(trainer_pb2.GetRunRequest(run_id=run_id))
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
    _, bad_request, info = _details(raised.value)
    assert bad_request is None
    assert info.reason == "NOT_FOUND" and info.metadata["field"] == "run_id"


def test_the_client_reads_the_field_from_the_details(client, run_id):
    run = client.create_run(run_id, ["a", "b"])
    with pytest.raises(InvalidArgumentError) as raised:
        run.scalarize(1, [[1.0, 2.0, 3.0]])
    assert raised.value.violations and raised.value.violations[0][0] == raised.value.field
    assert raised.value.error_info["metadata"]["field"] == raised.value.field
    assert raised.value.details == raised.value.violations[0][1]

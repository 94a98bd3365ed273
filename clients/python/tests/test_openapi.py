"""The OpenAPI document (docs/openapi.json) is valid, is what the server serves, and matches the routes:
schemathesis generates requests from it against a live rw-server and checks every response — status,
content type, headers and body schema — against the document."""

import json
import pathlib
import urllib.request

import numpy as np
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

DOCUMENT = pathlib.Path(__file__).resolve().parents[3] / "docs" / "openapi.json"


def test_the_document_is_valid_openapi_and_is_served(server):
    document = json.loads(DOCUMENT.read_text())
    validate(document)
    assert document["openapi"].startswith("3.1")
    with urllib.request.urlopen(server.http_url + "/openapi.json", timeout=10) as response:
        assert response.headers["Content-Type"] == "application/json"
        assert json.loads(response.read()) == document


def _seed_runs(client):
    """Runs of each method with a few reports, so that generated requests also reach existing runs."""
    for run_id, method in (("oa-gradient", "gradient"), ("oa-hypervolume", "hypervolume")):
        kwargs = dict(eta=0.1, mu=1.0, total_steps=10) if method == "gradient" else {}
        run = client.create_run(run_id, ["a", "b"], method=method, **kwargs)
        if run.created:
            if method == "gradient":
                run.report_gradients(1, np.eye(2))
            run.scalarize(1, np.eye(2))
            run.report_checkpoint(0, [0.1, 0.1])
            run.report_checkpoint(1, [0.5, 0.4])


def test_every_response_matches_the_document(server, client):
    _seed_runs(client)
    # /watch streams until the run is archived (or forever, live): test_http.py checks it instead.
    schema = schemathesis.openapi.from_path(str(DOCUMENT)).exclude(path_regex="/watch$")
    checks = [not_a_server_error, status_code_conformance, content_type_conformance,
              response_headers_conformance, response_schema_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def check(case):
            case.call_and_validate(base_url=server.http_url, checks=checks, timeout=10)

        check()

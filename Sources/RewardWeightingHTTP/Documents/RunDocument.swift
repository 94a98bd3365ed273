import Foundation
import RewardWeightingPolicy
import RewardWeightingService

/// `GET /v1/runs/{id}` and each entry of `GET /v1/runs`: a run's configuration and current state.
///
///     {"run_id": "qwen3-math-01", "status": "active", "method": "gradient", "config": {…},
///      "objectives": ["accuracy", "response_length", "clarity"], "weights": [0.5, 0.25, 0.25],
///      "r_pareto": 1.0, "last_steps": {"scalarize": 12, "gradients": 12, "checkpoint": 10},
///      "buffer_size": 3, "last_sequence": 40, "superseded_events": 0,
///      "created_at": "2026-12-01T12:00:00.000Z", "updated_at": "2026-12-01T12:30:00.000Z"}
struct RunDocument: Encodable {
    /// The latest step applied per kind of report; `null` for none yet.
    struct LastSteps: Encodable {
        let scalarize: Int?
        let gradients: Int?
        let checkpoint: Int?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(self.scalarize, forKey: .scalarize)
            try container.encode(self.gradients, forKey: .gradients)
            try container.encode(self.checkpoint, forKey: .checkpoint)
        }

        private enum CodingKeys: String, CodingKey {
            case scalarize, gradients, checkpoint
        }
    }

    let runID: String
    /// The tenant that owns the run.
    let tenant: String
    let status: String
    let method: String
    /// The effective configuration, in the JSON of ``RunConfig`` (as `rwctl` and the store read it).
    let config: RunConfig
    let objectives: [String]
    let weights: [Double]
    let rPareto: Double
    let lastSteps: LastSteps
    let bufferSize: Int
    let lastSequence: Int
    let supersededEvents: Int
    let createdAt: Date
    let updatedAt: Date

    init(_ run: Run) {
        let state = run.state
        self.runID = run.runID
        self.tenant = run.tenant
        self.status = run.status.rawValue
        self.method = run.config.method.name.rawValue
        self.config = run.config
        self.objectives = run.config.objectives.map(\.name)
        self.weights = state.weights
        self.rPareto = state.metaReward
        self.lastSteps = LastSteps(
            scalarize: state.lastAppliedStep(of: .scalarizeSummary), gradients: state.lastAppliedStep(of: .gradients),
            checkpoint: state.lastAppliedStep(of: .checkpoint))
        self.bufferSize = state.paretoBuffer.count
        self.lastSequence = run.eventCount
        self.supersededEvents = run.supersededEventCount
        self.createdAt = run.createdAt
        self.updatedAt = run.updatedAt
    }

    private enum CodingKeys: String, CodingKey {
        case runID = "run_id"
        case tenant, status, method, config, objectives, weights
        case rPareto = "r_pareto"
        case lastSteps = "last_steps"
        case bufferSize = "buffer_size"
        case lastSequence = "last_sequence"
        case supersededEvents = "superseded_events"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// `GET /v1/runs`: a page of runs and the token of the next one (`null` on the last page).
struct RunPageDocument: Encodable {
    let runs: [RunDocument]
    let nextPageToken: String?

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(self.runs, forKey: .runs)
        try container.encode(self.nextPageToken, forKey: .nextPageToken)
    }

    private enum CodingKeys: String, CodingKey {
        case runs
        case nextPageToken = "next_page_token"
    }
}

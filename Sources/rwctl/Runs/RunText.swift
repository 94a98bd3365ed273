import Foundation
import RewardWeightingAPI
import SwiftProtobuf

/// How the `runs` commands show a run's fields as text.
enum RunText {
    /// `fixed`, `hypervolume` or `gradient`.
    static func method(_ method: Rewardweighting_V1_WeightingMethod) -> String {
        switch method {
        case .fixed: "fixed"
        case .hypervolume: "hypervolume"
        case .gradient: "gradient"
        case .unspecified: "unspecified"
        case .UNRECOGNIZED(let value): "method \(value)"
        }
    }

    /// `active` or `archived`.
    static func status(_ status: Rewardweighting_V1_RunStatus) -> String {
        switch status {
        case .active: "active"
        case .archived: "archived"
        case .unspecified: "unspecified"
        case .UNRECOGNIZED(let value): "status \(value)"
        }
    }

    /// `accuracy:max`.
    static func objective(_ objective: Rewardweighting_V1_Objective) -> String {
        objective.name + (objective.direction == .minimize ? ":min" : ":max")
    }

    /// The latest step any report of the run applied (`nil` when none has).
    static func latestStep(_ state: Rewardweighting_V1_RunState) -> Int64? {
        [
            state.hasLastScalarizeStep ? state.lastScalarizeStep : nil,
            state.hasLastGradientsStep ? state.lastGradientsStep : nil,
            state.hasLastCheckpointStep ? state.lastCheckpointStep : nil,
        ].compactMap { $0 }.max()
    }

    /// Numbers for a table cell: `0.5 0.25 0.25`.
    static func numbers(_ values: [Double]) -> String { values.map(tableNumber).joined(separator: " ") }

    /// Numbers for a CSV cell, exact: `0.5;0.25;0.25`.
    static func exactNumbers(_ values: [Double]) -> String { values.map(exactNumber).joined(separator: ";") }

    /// A timestamp in ISO 8601 with milliseconds, in UTC: `2026-12-01T16:14:18.399Z`.
    static func time(_ timestamp: Google_Protobuf_Timestamp) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.string(from: timestamp.date)
    }
}

import RewardWeightingCore

/// One of a run's K objectives: a name (`accuracy`, `response_length`, `clarity`) and whether its checkpoint
/// score is to be maximised or minimised.
///
/// The direction applies to checkpoint scores only (the hypervolume method's validation means, e.g. the mean
/// response length, minimised). Per-response rewards sent to Scalarize are reward signals, higher is better,
/// whatever the direction.
///
/// JSON: `{"name": "response_length", "direction": "minimize"}`; `direction` defaults to `maximize` and also
/// accepts `max`/`min` (``ObjectiveDirection/init(parsing:)``).
public struct Objective: Codable, Hashable, Sendable {
    /// The objective's name, unique within a run.
    public let name: String
    /// Whether larger (`maximize`) or smaller (`minimize`) checkpoint scores are better.
    public let direction: ObjectiveDirection

    /// Creates an objective. Names are checked by ``RunConfig`` (non-empty, unique within the run).
    public init(name: String, direction: ObjectiveDirection = .maximize) {
        self.name = name
        self.direction = direction
    }

    private enum CodingKeys: String, CodingKey {
        case name
        case direction
    }

    /// Decodes an objective; an unknown direction is a ``ValidationError`` naming its JSON path
    /// (`objectives[1].direction`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let name = try container.decode(String.self, forKey: .name)
        var direction = ObjectiveDirection.maximize
        if let text = try container.decodeIfPresent(String.self, forKey: .direction) {
            do throws(ValidationError) {
                direction = try ObjectiveDirection(parsing: text)
            } catch {
                throw error.renamed(to: fieldPath(decoder.codingPath + [CodingKeys.direction]))
            }
        }
        self.init(name: name, direction: direction)
    }
}
